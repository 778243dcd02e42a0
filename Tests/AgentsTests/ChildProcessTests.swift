@testable import Agents
import Foundation
import Glibc
import Testing

@Suite("Child processes")
struct ChildProcessTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("concord-agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a child's exit status and output are reported; one ended by a signal reports 128 + the signal")
    func exitStatus() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try await ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"],
                                                          logPath: folder.appendingPathComponent("a.log").path)
        #expect(status == 3)
        #expect(output.contains("out") && output.contains("err"))

        let sleeper = try await ChildProcess.start("sleep", ["30"], logPath: folder.appendingPathComponent("b.log").path)
        sleeper.signal(SIGTERM)
        #expect(await sleeper.waitForExit(timeout: .seconds(10)) == 128 + SIGTERM)
    }

    @Test("a child still running at the limit is killed and reported as nil")
    func limit() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let started = ContinuousClock.now
        let (status, _) = try await ChildProcess.run("sleep", ["600"], logPath: folder.appendingPathComponent("c.log").path,
                                                    timeout: .milliseconds(300))
        #expect(status == nil)
        // Far less than the ten minutes the child would have slept, however loaded the machine.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test("a child whose handle is dropped is killed, so a failing caller leaves no process behind")
    func droppedIsKilled() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var pid: Int32 = 0
        do {
            let child = try await ChildProcess.start("sleep", ["30"], logPath: folder.appendingPathComponent("d.log").path)
            pid = child.pid
            #expect(kill(pid, 0) == 0)
        }
        let gone = try await Self.eventually { kill(pid, 0) != 0 }
        #expect(gone, "process \(pid) outlived its handle")
    }

    @Test("a program that does not exist is an error, not a hang")
    func missingProgram() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        await #expect(throws: (any Error).self) {
            _ = try await ChildProcess.start("/nonexistent/concord-nothing", [], logPath: folder.appendingPathComponent("e.log").path)
        }
    }

    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return condition()
    }
}
