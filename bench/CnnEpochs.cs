using CifarHelpers.Data;
using CifarHelpers.Models;
using CifarHelpers.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Bench;

/// <summary>Notebook 11's convolutional network: one training epoch, as the notebook trains it.</summary>
static class CnnEpochs
{
    /// <summary>
    /// One epoch of <see cref="ConvNet"/> with the autograd <see cref="Trainer"/>, <c>optim.SGD</c> (learning rate
    /// 0.01) and batches of 64, seed 42; each call trains one more epoch. With <paramref name="channelsLast"/>, the
    /// loader lays the batches out channels-last (notebook 11's setting); without it, as plain NCHW tensors.
    /// </summary>
    public static Action Library(ImageDataset train, bool channelsLast)
    {
        manual_seed(42);
        var model = new ConvNet();
        var loader = new BatchLoader(train, ArticleRecipe.BatchSize, shuffle: true, seed: 42, channelsLast: channelsLast);
        var trainer = new Trainer(model, optim.SGD(model.parameters(), ArticleRecipe.LearningRate), nn.CrossEntropyLoss())
        {
            FlattenImages = false,
        };
        return () => trainer.Fit(loader, 1);
    }
}
