using TorchSharp;
using static TorchSharp.torch;

namespace CifarHelpers.Models;

/// <summary>What a model instance is made of, read from its parameters: for any TorchSharp module.</summary>
public static class ModelSummary
{
    /// <summary>
    /// The number of elements of each trainable parameter, in order: the article's
    /// <c>[p.numel() for p in model.parameters() if p.requires_grad]</c>, <c>[1572864, 512, 1024, 2]</c> for its model.
    /// </summary>
    public static long[] ParameterCounts(nn.Module module) =>
        module.parameters().Where(p => p.requires_grad).Select(p => p.numel()).ToArray();

    /// <summary>
    /// The model's parameters by name and shape, in order, as a PyTorch <c>state_dict</c> names them: for the article's
    /// model <c>0.weight[512,3072] 0.bias[512] 2.weight[2,512] 2.bias[2]</c>. Two models with the same signature can
    /// load each other's weights; a checkpoint records it and a load compares it. Layers without parameters (Tanh,
    /// pooling, LogSoftmax) do not show: they change what the weights mean, not whether they fit.
    /// </summary>
    public static string Signature(nn.Module module) =>
        string.Join(" ", module.named_parameters().Select(p => $"{p.name}[{string.Join(",", p.parameter.shape)}]"));
}
