import Foundation

/// Where `pip install` puts packages, found from files alone: no Python is run.
///
/// Each place is a folder pattern whose components may hold `*` wildcards (`python3.*` stands for
/// whichever Python versions are installed), expanded with `FileManager` and `fnmatch`:
///
/// ```swift
/// let places = SitePackageFolders.patterns(environment: ProcessInfo.processInfo.environment)
/// // ["/root/.pyenv/versions/*/lib/python3.*/site-packages", ..., "/usr/lib/python3/dist-packages", ...]
/// let folders = places.flatMap(SitePackageFolders.expand)   // the ones that exist here
/// ```
public enum SitePackageFolders {
    /// The site-packages patterns, most specific first:
    ///
    /// 1. the active virtual environment (`VIRTUAL_ENV`) and conda environment (`CONDA_PREFIX`);
    /// 2. the user's packages (`PYTHONUSERBASE`, else `~/.local`; `~/Library/Python` on macOS);
    /// 3. pyenv's versions (`PYENV_ROOT`, else `~/.pyenv`);
    /// 4. the prefix of every `bin` folder on `PATH` (`/opt/venv/bin` gives `/opt/venv/lib/...`);
    /// 5. the system's folders under `root`: `/usr/local`, `/usr` (Debian's `dist-packages`
    ///    included), `/opt/conda`, Homebrew and the python.org framework.
    ///
    /// Only `environment` is read (`HOME` included: without it the user's folders are skipped), so
    /// a test can point every place into a temporary folder.
    public static func patterns(environment: [String: String], root: String = "/") -> [String] {
        func variable(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        func prefixed(_ prefix: String) -> [String] {
            ["\(prefix)/lib/python3.*/site-packages", "\(prefix)/lib/python3.*/dist-packages"]
        }
        let home = variable("HOME")
        var prefixes = [variable("VIRTUAL_ENV"), variable("CONDA_PREFIX")].compactMap { $0 }
        prefixes += [variable("PYTHONUSERBASE") ?? home.map { "\($0)/.local" }].compactMap { $0 }
        var places = prefixes.flatMap(prefixed)
        places += home.map { ["\($0)/Library/Python/3.*/lib/python/site-packages"] } ?? []
        let pyenvRoots = [variable("PYENV_ROOT"), home.map { "\($0)/.pyenv" }].compactMap { $0 }
        places += pyenvRoots.flatMap { prefixed("\($0)/versions/*") }
        let binFolders = (variable("PATH") ?? "").split(separator: ":").map(String.init).filter { $0.hasSuffix("/bin") }
        places += binFolders.flatMap { prefixed(String($0.dropLast("/bin".count))) }
        let system = root.hasSuffix("/") ? String(root.dropLast()) : root
        places += prefixed("\(system)/usr/local") + ["\(system)/usr/lib/python3/dist-packages"] + prefixed("\(system)/usr")
        places += ["/opt/conda", "/opt/homebrew", "/Library/Frameworks/Python.framework/Versions/*"]
            .flatMap { prefixed(system + $0) }
        var seen = Set<String>()
        return places.filter { seen.insert($0).inserted }
    }

    /// The existing folders matching `pattern`, an absolute or relative path whose components may
    /// contain `*` and `?` wildcards, in sorted order.
    public static func expand(_ pattern: String) -> [String] {
        var paths = [pattern.hasPrefix("/") ? "" : "."]
        for component in pattern.split(separator: "/").map(String.init) {
            if component.contains("*") || component.contains("?") {
                paths = paths.flatMap { parent in
                    ((try? FileManager.default.contentsOfDirectory(atPath: parent.isEmpty ? "/" : parent)) ?? [])
                        .filter { fnmatch(component, $0, 0) == 0 }.sorted().map { "\(parent)/\($0)" }
                }
            } else {
                paths = paths.map { "\($0)/\(component)" }
            }
        }
        return paths.filter(isFolder)
    }

    /// Whether `path` is an existing folder (or a link to one).
    static func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
    }
}
