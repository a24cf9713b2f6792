using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CifarHelpers.Models;

/// <summary>The article's fully connected classifier and a way to count its parameters.</summary>
public static class FullyConnected
{
    /// <summary>A short, stable name of the architecture, kept in checkpoints.</summary>
    public const string Architecture = "Linear(3072,512)-Tanh-Linear(512,2)-LogSoftmax(1)";

    /// <summary>
    /// <c>nn.Sequential(nn.Linear(3072, 512), nn.Tanh(), nn.Linear(512, 2), nn.LogSoftmax(dim=1))</c>.
    /// Its weights are drawn from torch's global generator: seed it first for a repeatable start.
    /// </summary>
    public static Sequential Create(int inputs = 3072, int hidden = 512, int classes = 2) =>
        Sequential(
            ("0", Linear(inputs, hidden)),
            ("1", Tanh()),
            ("2", Linear(hidden, classes)),
            ("3", LogSoftmax(dim: 1)));

    /// <summary>The number of elements of each trainable parameter, in order: <c>[1572864, 512, 1024, 2]</c>.</summary>
    public static long[] ParameterCounts(Module module) =>
        module.parameters().Where(p => p.requires_grad).Select(p => p.numel()).ToArray();
}
