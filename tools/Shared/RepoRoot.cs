namespace Tools.Shared;

/// <summary>Finds the repository root: the nearest folder upwards that holds global.json and notebooks/.</summary>
public static class RepoRoot
{
    /// <summary>Searches from the current folder, then from the program's folder.</summary>
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "notebooks")))
                    return dir.FullName;
        throw new DirectoryNotFoundException("Cannot find the repository root (a folder with global.json and notebooks/).");
    }
}
