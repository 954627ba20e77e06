import Foundation

/// The data directory the consultations write their transcripts and appointment requests to,
/// checked when the server starts (as the host key is): a problem found at the first applicant's
/// consultation would be found too late, and by the applicant.
public enum RecordsDirectory {
    /// Creates `path` (and missing parents, mode 0700) if needed and checks that it is a folder
    /// others cannot read or enter and that a file can be written in it; returns the path.
    public static func prepare(_ path: String) throws(ConfigurationError) -> String {
        var parents: [String] = []
        var parent = (path as NSString).deletingLastPathComponent
        while !parent.isEmpty && parent != "/" && access(parent, F_OK) != 0 {
            parents.insert(parent, at: 0)
            parent = (parent as NSString).deletingLastPathComponent
        }
        for folder in parents + [path] where mkdir(folder, 0o700) != 0 && errno != EEXIST {
            throw ConfigurationError("--data-dir \(path): cannot create \(folder): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ConfigurationError("--data-dir \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw ConfigurationError("--data-dir \(path): not a folder")
        }
        let mode = Int(status.st_mode & 0o777)
        guard mode & 0o077 == 0 else {
            throw ConfigurationError(
                "--data-dir \(path): others can read or enter the records folder (mode \(String(mode, radix: 8))); chmod 700 it"
            )
        }
        let probe = "\(path)/.consult-sshd-probe-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError("--data-dir \(path): cannot write there: \(String(cString: strerror(errno)))")
        }
        let written = write(fd, "probe\n", 6) == 6 && fsync(fd) == 0
        let error = errno
        close(fd)
        unlink(probe)
        guard written else {
            throw ConfigurationError("--data-dir \(path): cannot write there: \(String(cString: strerror(error)))")
        }
        return path
    }
}
