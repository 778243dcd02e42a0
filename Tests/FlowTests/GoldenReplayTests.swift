import BusCore
import ConcordTestSupport
import Foundation
import Intelligence
import Liaison
import Logistics
import Registry
import ServiceKit
import Testing
import Training

/// Replay tests against golden cassettes in Tests/Fixtures/replay: each service alone, and the
/// three flows across all five. A change in any service's behaviour shows as a diff naming the
/// output line and the fields that changed. `CONCORD_UPDATE_GOLDEN=1 swift test --filter Golden`
/// rewrites the golden files after an intended change (review them in the diff before committing).
@Suite("Golden replays", .serialized)
struct GoldenReplayTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/replay").standardized

    static let all: [any DomainService] = [RegistryService(), LogisticsService(), IntelligenceService(), TrainingService(), LiaisonService()]

    static func replay(_ name: String, services: [any DomainService]) async throws {
        let scenario = fixtures.appendingPathComponent("\(name).yaml").path
        let inputs = fixtures.appendingPathComponent("\(name).input.jsonl").path
        try ReplayHarness.prepareInputs(scenario: scenario, cassette: inputs)
        let harness = try await ReplayHarness(services: services)
        let outputs = try await harness.run(inputs: inputs)
        await harness.stop()
        let difference = try ReplayHarness.compare(outputs, golden: fixtures.appendingPathComponent("\(name).golden.jsonl").path)
        #expect(difference == nil, "\(name): \(difference ?? "")")
    }

    @Test("registry: partners, membership, permissions, units, refusals and queries")
    func registry() async throws { try await Self.replay("registry", services: [RegistryService()]) }

    @Test("logistics: requests, pledges, shipments, convoys and rotations, with refusals")
    func logistics() async throws { try await Self.replay("logistics", services: [LogisticsService()]) }

    @Test("intelligence: labelled reports and tearlines, release decisions, alerts, with refusals")
    func intelligence() async throws { try await Self.replay("intelligence", services: [IntelligenceService()]) }

    @Test("training: exercises, enrolments, overlaps, certification, with refusals")
    func training() async throws { try await Self.replay("training", services: [TrainingService()]) }

    @Test("liaison: requests for assistance and humanitarian notifications, with refusals")
    func liaison() async throws { try await Self.replay("liaison", services: [LiaisonService()]) }

    @Test("flow: escort")
    func escort() async throws { try await Self.replay("escort", services: Self.all) }

    @Test("flow: route threat")
    func routeThreat() async throws { try await Self.replay("route-threat", services: Self.all) }

    @Test("flow: rotation against exercise")
    func rotation() async throws { try await Self.replay("rotation", services: Self.all) }

    @Test("a changed output is reported at its line, with the fields that differ")
    func readableDifference() throws {
        var envelope = Envelope(id: "logistics-000001", source: "concord/logistics", type: "logistics.request.approved", dataVersion: 1)
        envelope.data = Array(#"{"request":"REQ-1","status":"approved","items":[{"item":"water","quantity":20000}]}"#.utf8)
        let golden = [CassetteEntry(offset: 0, topic: envelope.type, envelope: EnvelopeCodec.encode(envelope))]
        envelope.data = Array(#"{"request":"REQ-1","status":"submitted","items":[{"item":"water","quantity":2000}]}"#.utf8)
        let actual = [CassetteEntry(offset: 0, topic: envelope.type, envelope: EnvelopeCodec.encode(envelope))]
        #expect(ReplayHarness.difference(golden: golden, actual: actual) == """
            line 2 (logistics.request.approved) differs:
              data.items[0].quantity: expected 20000, got 2000
              data.status: expected "approved", got "submitted"
            """)
        #expect(ReplayHarness.difference(golden: golden, actual: []) != nil)
        #expect(ReplayHarness.difference(golden: golden, actual: golden) == nil)
    }
}
