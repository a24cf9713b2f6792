using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CifarHelpers.Models;

/// <summary>The article's fully connected classifier.</summary>
public static class FullyConnected
{
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
}
