import BusCore
import Foundation
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A child process started by a bench or a test, with its standard output and error appended
/// to a log file. It is killed when the value is dropped, so a failing caller leaves no process
/// behind. Built on swift-subprocess, which launches safely from concurrent tasks and waits for
/// the child without blocking a thread.
public final class ChildProcess: Sendable {
    /// Where the child's output goes.
    public let logPath: String
    /// The child's process id (not used once it has exited: the id may be reused).
    public let pid: Int32
    private let status = Mutex<Int32?>(nil)
    private let exited: ReadySignal<Int32>
    private let task: Task<Void, Never>

    private init(logPath: String, pid: Int32, exited: ReadySignal<Int32>, task: Task<Void, Never>) {
        self.logPath = logPath
        self.pid = pid
        self.exited = exited
        self.task = task
    }

    deinit { task.cancel() }

    /// Starts `executable` (a path, or a name looked up on PATH) with `arguments`.
    public static func start(_ executable: String, _ arguments: [String], logPath: String,
                             environment: [String: String] = [:]) async throws -> ChildProcess {
        let output = try FileDescriptor.open(FilePath(logPath), .writeOnly, options: [.append, .create], permissions: .ownerReadWrite)
        let error = try FileDescriptor.open(FilePath(logPath), .writeOnly, options: [.append, .create], permissions: .ownerReadWrite)
        let started = ReadySignal<Int32>()
        let exited = ReadySignal<Int32>()
        let program: Executable = executable.contains("/") ? .path(FilePath(executable)) : .name(executable)
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment { updates[Environment.Key(stringLiteral: key)] = value }
        let task = Task {
            do {
                let result = try await Subprocess.run(
                    program, arguments: Arguments(arguments), environment: .inherit.updating(updates),
                    input: .none, output: .fileDescriptor(output, closeAfterSpawningProcess: true),
                    error: .fileDescriptor(error, closeAfterSpawningProcess: true)
                ) { execution in
                    started.succeed(execution.processIdentifier.value)
                }
                switch result.terminationStatus {
                case .exited(let code): exited.succeed(code)
                case .signaled(let signal): exited.succeed(128 + signal)
                }
            } catch {
                started.fail(error)
                exited.fail(error)
            }
        }
        let pid: Int32
        do {
            pid = try await started.wait()
        } catch {
            task.cancel()
            throw error
        }
        let child = ChildProcess(logPath: logPath, pid: pid, exited: exited, task: task)
        Task { [weak child] in
            let code = try? await exited.wait()
            child?.status.withLock { $0 = code }
        }
        return child
    }

    /// Everything the child wrote so far.
    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The exit status once the child has ended (128 + the signal when a signal ended it).
    public var exitStatus: Int32? { status.withLock { $0 } }

    /// Sends `signal` unless the child has already ended.
    public func signal(_ signal: Int32) {
        guard exitStatus == nil else { return }
        kill(pid, signal)
    }

    /// Waits for the child to end, up to `timeout`; its status, or nil while it still runs.
    public func waitForExit(timeout: Duration = .seconds(15)) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask { try? await self.exited.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Runs a program to completion within `timeout` (killed at the limit); its status (nil when
    /// it had to be killed) and its output.
    public static func run(_ executable: String, _ arguments: [String], logPath: String, timeout: Duration = .seconds(30),
                           environment: [String: String] = [:]) async throws -> (status: Int32?, output: String) {
        let child = try await start(executable, arguments, logPath: logPath, environment: environment)
        let status = await child.waitForExit(timeout: timeout)
        if status == nil {
            child.signal(SIGKILL)
            _ = await child.waitForExit(timeout: .seconds(5))
        }
        return (status, child.output)
    }
}
