using System.Text.Json;
using CifarHelpers.Data;
using Tools.Shared;

namespace CifarHelpers.Tests;

/// <summary>
/// The tests start this assembly as a separate process (<c>dotnet CifarHelpers.Tests.dll prepare ...</c>) to run
/// the product's code where it can be killed or run twice at once.
/// </summary>
public static class ChildProcess
{
    public static int Main(string[] args)
    {
        if (args is ["longrun"])
        {
            ReliabilityTests.LongRun();
            return 0;
        }
        if (args is ["malloc", var malloc]) return MemorySettingsTests.MallocChild(keepFreedBuffers: malloc == "keep");
        if (args is ["hugepages"]) return MemorySettingsTests.Child();
        if (args is not ["prepare", var root, var specFile, var archive, var download])
        {
            Console.Error.WriteLine("usage: prepare ROOT SPEC.json ARCHIVE|- download|offline | longrun | hugepages | malloc keep|default");
            return 2;
        }
        var spec = specFile == "-" ? null : JsonSerializer.Deserialize<DataSpec>(File.ReadAllText(specFile));
        try
        {
            var store = new Cifar10Store(root, spec, Console.Out) { ArchiveFromEnvironment = false };
            store.Prepare(download == "download", archive == "-" ? null : archive);
            Console.WriteLine("prepared");
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine($"{e.GetType().Name}: {e.Message}");
            return 3;
        }
    }

    static string Self => typeof(ChildProcess).Assembly.Location;

    /// <summary>Starts the 100-epoch run of <see cref="ReliabilityTests.LongRun"/> in a new process.</summary>
    public static Exec LongRun() => Exec.Start("dotnet", [Self, "longrun"]);

    /// <summary>Starts <c>prepare</c> in a new process.</summary>
    public static Exec Prepare(string root, DataSpec? spec, string? archive, bool download, string specDir)
    {
        string specFile = "-";
        if (spec is not null)
        {
            specFile = Path.Combine(specDir, $"spec-{Guid.NewGuid():N}.json");
            File.WriteAllText(specFile, JsonSerializer.Serialize(spec));
        }
        return Exec.Start("dotnet", [Self, "prepare", root, specFile, archive ?? "-", download ? "download" : "offline"]);
    }
}
