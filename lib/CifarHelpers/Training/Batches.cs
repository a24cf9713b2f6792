using static TorchSharp.torch;

namespace CifarHelpers.Training;

/// <summary>Batches in the shapes that the loops take.</summary>
public static class Batches
{
    /// <summary>
    /// The <c>(images, labels)</c> pairs of a loader that yields dictionaries, as TorchSharp's
    /// <c>torch.utils.data.DataLoader</c> does: the images under <paramref name="imagesKey"/>, the labels under
    /// <paramref name="labelsKey"/>. Lazy: each enumeration is one pass of the loader.
    /// </summary>
    /// <exception cref="KeyNotFoundException">A batch lacks one of the keys; the message names the keys it has.</exception>
    public static IEnumerable<(Tensor Images, Tensor Labels)> FromDictionaries(IEnumerable<Dictionary<string, Tensor>> loader,
                                                                              string imagesKey = "data", string labelsKey = "label")
    {
        foreach (var batch in loader)
        {
            if (!batch.TryGetValue(imagesKey, out var images) || !batch.TryGetValue(labelsKey, out var labels))
                throw new KeyNotFoundException(
                    $"A batch has the keys {string.Join(", ", batch.Keys)}, not \"{imagesKey}\" and \"{labelsKey}\": pass the keys your dataset uses.");
            yield return (images, labels);
        }
    }
}
