import Foundation

/// Fault injection for the crash tests: `TOCSIN_FAILPOINT=post.after_send` makes the process kill itself
/// (SIGKILL) when a job reaches that point; `post.before_send:stop` stops it (SIGSTOP) instead, to play
/// a worker paused past its lease. Unset in production, where `hit` costs one comparison.
///
/// Points: `post.before_send`, `post.after_send` (Telegram answered, nothing recorded yet),
/// `post.before_commit` (message id written, transaction open), `post.after_commit` (committed, job not
/// yet acknowledged in Redis), and the same four for `edit`.
enum FailPoint {
    private static let setting: (name: String, action: String)? = {
        guard let text = ProcessInfo.processInfo.environment["TOCSIN_FAILPOINT"], !text.isEmpty else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "kill")
    }()

    static func hit(_ name: String) {
        guard let setting, setting.name == name else { return }
        // raise() directs the signal at this thread, so it stops (or dies) here, before the next step;
        // kill(getpid(), …) may let this thread run on for a moment.
        raise(setting.action == "stop" ? SIGSTOP : SIGKILL)
    }
}
