using System.Collections;
using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Runtime;
using CifarHelpers.Training;
using Tools.Shared;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace CifarHelpers.Tests;

/// <summary>
/// Weights crossing the border with a real PyTorch (Debian's python3-torch, which tools/setup.sh installs), through
/// tools/pytorch/article_model.py: PyTorch saves and C# reproduces its outputs, C# saves and PyTorch reproduces C#'s,
/// for the article's fully connected net and the book's Net; a real PyTorch file that does not fit is refused by key.
/// Without python3-torch these tests fail (never skip): CI installs it.
/// </summary>
[Trait("Category", "Interop")]
public sealed class PyTorchInteropTests : IDisposable
{
    // Debian's python3, where python3-torch lives; the python3 on PATH may be another (pyenv, a venv) without torch.
    internal const string Python = "/usr/bin/python3";
    const double Tolerance = 1e-5;

    readonly TestFiles _files = new();
    internal static readonly string Script = Path.Combine(RepoRoot.Find(), "tools", "pytorch", "article_model.py");

    public PyTorchInteropTests() => TorchRuntime.Initialize();

    public void Dispose() => _files.Dispose();

    static nn.Module<Tensor, Tensor> Build(string model) => model == "fc" ? FullyConnected.Create() : new ConvNet();

    // The outputs for images [N, 3, 32, 32]; the fully connected net takes them flattened, as the article's loop does.
    static Tensor Run(nn.Module<Tensor, Tensor> net, string model, Tensor images)
    {
        net.eval();
        using var noGrad = no_grad();
        return net.forward(model == "fc" ? images.view(images.shape[0], -1) : images);
    }

    internal static ExecResult RunPython(params string[] arguments)
    {
        if (!File.Exists(Python) || Exec.Run(Python, ["-c", "import torch"], TimeSpan.FromMinutes(1)).ExitCode != 0)
            Assert.Fail($"{Python} cannot import torch: install Debian's python3-torch (bash tools/setup.sh does, " +
                        "or apt-get install python3-torch); the interop tests need a real PyTorch.");
        var result = Exec.Run(Python, arguments, TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"python3 {string.Join(' ', arguments)} exited {result.ExitCode}:\n{Exec.Tail(result.Output)}");
        return result;
    }

    static Dictionary<string, Tensor> ReadTensors(string path)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry e in PyTorchUnpickler.UnpickleStateDict(path))
            result[(string)e.Key] = (Tensor)e.Value!;
        return result;
    }

    static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double difference = (expected.to(float64) - actual.to(float64)).abs().max().item<double>();
        Assert.True(difference <= Tolerance, $"{what}: the largest difference is {difference:E2}, more than {Tolerance:E0}");
    }

    [Theory]
    [InlineData("fc")]
    [InlineData("cnn")]
    public void CSharpReproducesTheOutputsOfWeightsPyTorchSaved(string model)
    {
        string output = RunPython(Script, "save-reference", _files.Dir, "--model", model).Stdout;
        Assert.Contains("saved", output);
        using var scope = NewDisposeScope();
        var io = ReadTensors(_files.PathOf($"{model}-io.pt"));
        Assert.Equal([8L, 3, 32, 32], io["inputs"].shape);

        manual_seed(123); // other weights than PyTorch's, so that a load that did nothing would show
        using var net = Build(model);
        using (var before = Run(net, model, io["inputs"]))
            Assert.True((before - io["outputs"]).abs().max().item<float>() > 1e-3, "the fresh net already gives PyTorch's outputs");
        PyTorchStateDict.Load(net, _files.PathOf($"{model}-state_dict.pt"));
        AssertClose(io["outputs"], Run(net, model, io["inputs"]), $"{model}: C#'s outputs against PyTorch's");
    }

    [Theory]
    [InlineData("fc")]
    [InlineData("cnn")]
    public void PyTorchReproducesTheOutputsOfWeightsCSharpSaved(string model)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var net = Build(model);
        var inputs = randn(8, 3, 32, 32);
        var ours = Run(net, model, inputs);
        string weights = _files.PathOf($"{model}-from-csharp.pt"), inputsFile = _files.PathOf("inputs.pt"), outFile = _files.PathOf("outputs.pt");
        PyTorchStateDict.Save(net, weights);
        PyTorchPickler.PickleStateDict(inputsFile, new Dictionary<string, Tensor> { ["inputs"] = inputs });

        string printed = RunPython(Script, "check", weights, "--model", model, "--inputs", inputsFile, "--out", outFile).Stdout;
        Assert.Contains("loaded", printed);
        AssertClose(ours, ReadTensors(outFile)["outputs"], $"{model}: PyTorch's outputs against C#'s");
        // The printed lines are the same outputs, six decimals each.
        var rows = printed.Split('\n').Where(l => l.Length > 0 && (char.IsDigit(l[0]) || l[0] == '-')).ToList();
        Assert.Equal(8, rows.Count);
        Assert.Equal(ours[0, 0].item<float>(), double.Parse(rows[0].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture), 5);
    }

    [Fact]
    public void AStateDictPyTorchSavedWithAWrongShapeAndAMissingKeyIsRefusedByKey()
    {
        string file = _files.PathOf("wrong.pt");
        RunPython("-c", "import sys, torch\n" +
                        "torch.save({'0.weight': torch.zeros(512, 100), '0.bias': torch.zeros(512), '2.weight': torch.zeros(2, 512)}, sys.argv[1])",
                  file);
        using var net = FullyConnected.Create();
        var e = Assert.Throws<CheckpointException>(() => PyTorchStateDict.Load(net, file));
        Assert.Contains($"0.weight has shape [512, 100] in {file}, the model wants [512, 3072]", e.Message);
        Assert.Contains($"{file} has no key 2.bias", e.Message);
    }
}

/// <summary>
/// The Python side of notebook 14 on the real validation set: a model C# saved, scored by PyTorch on the airplanes and
/// birds of test_batch.bin with the Mean and Std the checkpoint's .json records, gets exactly C#'s count right. The
/// model is freshly seeded (not notebook 08's), so the test needs no trained model.
/// </summary>
[Trait("Category", "Interop")]
[Collection("real data")]
public sealed class PyTorchScoresTheValidationSetLikeCSharp(RealData real) : IDisposable
{
    readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void PyTorchCountsAsManyRightAsCSharp()
    {
        TorchRuntime.Initialize();
        string root = real.RequireRoot();
        var (train, val, stats) = NormalizedSubset.Load(root, new Dictionary<int, int> { [0] = 0, [2] = 1 }, download: false);
        using (train)
        using (val)
        {
            manual_seed(42);
            using var model = FullyConnected.Create();
            var ours = Evaluator.Evaluate(model, new BatchLoader(val, batchSize: 64, shuffle: false), classes: 2);
            string checkpoint = _files.PathOf("fc");
            Checkpoint.Save(model, checkpoint, CheckpointInfo.For(model, 0, 42, train, stats, ours.Accuracy));
            PyTorchStateDict.Save(model, checkpoint + ".pt");

            string printed = PyTorchInteropTests.RunPython(PyTorchInteropTests.Script, "evaluate", checkpoint + ".pt", "--model", "fc",
                                                           "--data", Path.Combine(root, "cifar-10-batches-bin"), "--stats", checkpoint + ".json").Stdout;
            Assert.Contains($"({ours.Correct} of {ours.Total})", printed);
            Assert.Equal(2000, ours.Total);
        }
    }
}

/// <summary>PyTorchStateDict on files C# writes itself: no Python needed.</summary>
[Trait("Category", "Unit")]
public sealed class PyTorchStateDictTests : IDisposable
{
    readonly TestFiles _files = new();

    public PyTorchStateDictTests() => TorchRuntime.Initialize();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void ARoundTripKeepsTheOutputsAndTheParametersTrainable()
    {
        string file = _files.PathOf("fc.pt");
        manual_seed(1);
        using var saved = FullyConnected.Create();
        PyTorchStateDict.Save(saved, file);
        manual_seed(2);
        using var loaded = FullyConnected.Create();
        PyTorchStateDict.Load(loaded, file);
        using var x = randn(4, 3072);
        using var a = saved.forward(x);
        using var b = loaded.forward(x);
        Assert.Equal(0f, (a - b).abs().max().item<float>());
        Assert.All(loaded.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], PyTorchStateDict.Match(loaded, file).Select(m => m.Key));
        Assert.All(PyTorchStateDict.Match(loaded, file), m => Assert.True(m.Fits));
    }

    [Fact]
    public void AWrongShapeIsRefusedWithTheKeyAndBothShapes()
    {
        string file = _files.PathOf("hidden100.pt");
        using (var other = FullyConnected.Create(hidden: 100)) PyTorchStateDict.Save(other, file);
        using var net = FullyConnected.Create();
        using var before = net.state_dict()["0.bias"].clone();
        var e = Assert.Throws<CheckpointException>(() => PyTorchStateDict.Load(net, file));
        Assert.Contains($"0.weight has shape [100, 3072] in {file}, the model wants [512, 3072]", e.Message);
        Assert.Contains($"0.bias has shape [100] in {file}, the model wants [512]", e.Message);
        Assert.Contains($"2.weight has shape [2, 100] in {file}, the model wants [2, 512]", e.Message);
        Assert.True(net.state_dict()["0.bias"].allclose(before, rtol: 0, atol: 0), "a refused file changed the model");
    }

    [Fact]
    public void AMissingOrAnExtraKeyIsRefusedByName()
    {
        string file = _files.PathOf("nobias.pt");
        using (var other = nn.Sequential(("0", nn.Linear(3072, 512)), ("1", nn.Tanh()), ("2", nn.Linear(512, 2, hasBias: false)),
                                         ("3", nn.LogSoftmax(1))))
            PyTorchStateDict.Save(other, file);
        using var net = FullyConnected.Create();
        var e = Assert.Throws<CheckpointException>(() => PyTorchStateDict.Load(net, file));
        Assert.Equal($"{file} has no key 2.bias", e.Message);

        using var cnn = new ConvNet();
        var foreign = Assert.Throws<CheckpointException>(() => PyTorchStateDict.Load(cnn, file));
        Assert.Contains($"{file} has no key conv1.weight", foreign.Message);
        Assert.Contains($"{file} has a key 0.weight that the model does not have", foreign.Message);
    }

    [Fact]
    public void AMissingOrForeignFileIsRefused()
    {
        using var net = FullyConnected.Create();
        string missing = _files.PathOf("none.pt");
        Assert.Equal($"There is no file {missing}.", Assert.Throws<CheckpointException>(() => PyTorchStateDict.Load(net, missing)).Message);
        string text = _files.Write("text.pt", "not a zip"u8.ToArray());
        Assert.StartsWith($"{text} is not a PyTorch state_dict file: ", Assert.Throws<CheckpointException>(() => PyTorchStateDict.Load(net, text)).Message);
    }
}
