using CifarHelpers.Data;
using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>The accuracy and confusion matrix of a model over a split.</summary>
/// <param name="Correct">Images classified correctly.</param>
/// <param name="Total">Images seen.</param>
/// <param name="Confusion">Counts by [true label, predicted label].</param>
/// <param name="Predicted">The predicted label of every image, in the loader's order.</param>
public sealed record Evaluation(long Correct, long Total, long[,] Confusion, long[] Predicted)
{
    /// <summary>Correct over total.</summary>
    public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
}

/// <summary>The article's validation loop, with a confusion matrix.</summary>
public static class Evaluator
{
    /// <summary>
    /// Runs <paramref name="model"/> over <paramref name="loader"/> (any sequence of <c>(images, labels)</c> batches)
    /// in eval mode and without gradients, and counts the argmax predictions on the CPU. The model's mode
    /// (<c>train</c> or <c>eval</c>) is restored afterwards, also when a batch throws. Use an unshuffled loader to
    /// match <see cref="Evaluation.Predicted"/> to the dataset. Each batch is disposed after it is scored.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="loader">The batches to score.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="flatten">
    /// Flatten each batch to <c>[B, 3072]</c> (the default, for a fully connected net); false hands the model
    /// <c>[B, 3, 32, 32]</c>, for a convolutional net.
    /// </param>
    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor Images, Tensor Labels)> loader, int classes,
                                      bool flatten = true)
    {
        bool wasTraining = model.training;
        var confusion = new long[classes, classes];
        var predicted = new List<long>();
        model.eval();
        try
        {
            using var noGrad = no_grad();
            foreach (var (imgs, labels) in loader)
            {
                using var scope = NewDisposeScope();
                scope.Attach(imgs, labels);
                var outputs = model.forward(flatten ? imgs.reshape(imgs.shape[0], -1) : imgs);
                var guesses = outputs.argmax(1).cpu().data<long>().ToArray();
                var truth = labels.cpu().data<long>().ToArray();
                for (int i = 0; i < truth.Length; i++) confusion[truth[i], guesses[i]]++;
                predicted.AddRange(guesses);
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        long correct = 0;
        for (int c = 0; c < classes; c++) correct += confusion[c, c];
        return new Evaluation(correct, predicted.Count, confusion, [.. predicted]);
    }

    /// <summary>Scores the batches of TorchSharp's own <c>torch.utils.data.DataLoader</c> (dictionaries with <c>"data"</c> and <c>"label"</c>).</summary>
    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, IEnumerable<Dictionary<string, Tensor>> loader, int classes,
                                      bool flatten = true, string imagesKey = "data", string labelsKey = "label") =>
        Evaluate(model, Batches.FromDictionaries(loader, imagesKey, labelsKey), classes, flatten);
}
