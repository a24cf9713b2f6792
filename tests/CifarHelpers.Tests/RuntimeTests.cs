using CifarHelpers.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

[Trait("Category", "Unit")]
public class RuntimeTests
{
    [Fact]
    public void TorchSharpLoadsAndRunsForwardAndBackward()
    {
        string summary = TorchRuntime.Initialize();
        Assert.Contains("TorchSharp", summary);
        Assert.Same(summary, TorchRuntime.Initialize());

        using var x = randn(8, 3072, requires_grad: true);
        using var w = randn(3072, 4);
        using var loss = x.mm(w).tanh().sum();
        loss.backward();
        Assert.Equal([8L, 3072L], x.grad!.shape);
    }

    [SkippableFact]
    public void MarkingTheMarkerWeakChangesOnlyItsFlag()
    {
        Requires.LinuxX64("it edits the Linux x64 native library of TorchSharp");
        TorchRuntime.Initialize();
        string shipped = NativeLocations.Find(typeof(torch).Assembly).LibTorchSharp;
        byte[] original = File.ReadAllBytes(shipped);

        var need = Assert.Single(ElfVersionNeeds.Read(original, shipped), n => n.Version == TorchRuntime.MarkerVersion);
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);

        byte[] patched = ElfVersionNeeds.MarkWeak(original, TorchRuntime.MarkerVersion, shipped);
        Assert.Equal(original.Length, patched.Length);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        int at = Assert.Single(changed);
        Assert.Equal(need.FlagsOffset, at);
        Assert.Equal(original[at] | ElfVersionNeeds.VerFlagWeak, patched[at]);

        var after = ElfVersionNeeds.Read(patched, "patched");
        Assert.True(after.Single(n => n.Version == TorchRuntime.MarkerVersion).IsWeak);
        Assert.All(after.Where(n => n.Version != TorchRuntime.MarkerVersion), n => Assert.False(n.IsWeak));

        // The cached copy the runtime loads, when it needed one, is exactly this edit.
        string copy = TorchRuntime.PatchedCopy(shipped);
        Assert.Equal(patched, File.ReadAllBytes(copy));
    }

    [Fact]
    public void AFileThatIsNotElfIsRejectedClearly()
    {
        var notElf = "#!/bin/sh\necho this is not a shared library\n"u8.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(notElf, TorchRuntime.MarkerVersion, "script.sh"));
        Assert.Contains("script.sh is not an ELF file", e.Message);

        var truncated = new byte[80];
        byte[] header = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1];
        header.CopyTo(truncated, 0);
        truncated[0x28] = 0xff; truncated[0x3a] = 64; truncated[0x3c] = 1;
        var t = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(truncated, "short.so"));
        Assert.Contains("short.so is a truncated or malformed ELF file", t.Message);
    }

    [Fact]
    public void TheLoaderReadsTheMissingVersionFromTheLoadError()
    {
        string dlerror = "/x/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /x/libLibTorchSharp.so)";
        Assert.Equal("GLIBCXX_3.4.32", TorchRuntime.MissingVersion(dlerror));
        Assert.Null(TorchRuntime.MissingVersion("libtorch.so: cannot open shared object file: No such file or directory"));
    }
}
