import BusCore
import ServiceKit

/// What liaison publishes that other parts read: requests for assistance moving through their
/// lifecycle (logistics plans an escort for a validated one). Each event carries the whole
/// request and is labelled as it (`AssistanceRequest.label`).
public enum LiaisonContract {
    public static let source = "concord/liaison"

    /// `validated`, `rejected`, `tasked`, `completed`.
    public static let requestMoves: [MessageType] = EntityQueries.transitionEvents(AssistanceRequest.self, service: "liaison").map { type in
        type.withExamples([1: requestExample(status: String(type.name.split(separator: ".").last ?? ""))])
    }

    /// Every type of this contract.
    public static let types = requestMoves

    /// Following validated requests for assistance.
    public static let validatedRequests = Consumer.Follow(source: source, topicPrefix: "liaison.rfa.", types: ["liaison.rfa.validated"])

    static func requestExample(status: String) -> String {
        #"{"rfa":"RFA-1","requester":"WFP","kind":"escort","justification":"No civilian escort can secure the road after the alert","route":"JUBA-BOR","location":"Bor","neededBy":"2026-11-23","status":"\#(status)"}"#
    }
}
