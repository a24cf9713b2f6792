using CifarHelpers.Text;
using CifarHelpers.Data;
using CifarHelpers.Training;
using Microsoft.Data.Analysis;

namespace CifarHelpers.Notebook;

/// <summary>The tutorial's tables, as Microsoft.Data.Analysis DataFrames; headers in the language in use (<see cref="Localization"/>).</summary>
public static class Tables
{
    /// <summary>Images per class.</summary>
    public static DataFrame ClassCounts(ImageDataset dataset)
    {
        var counts = dataset.ClassCounts();
        return new DataFrame(
            new Int32DataFrameColumn(Localization.Text("label"), Enumerable.Range(0, counts.Length)),
            new StringDataFrameColumn(Localization.Text("class"), dataset.Classes),
            new Int64DataFrameColumn(Localization.Text("images"), counts));
    }

    /// <summary>One row per epoch (every <paramref name="every"/>th, from epoch 0 as the article counts): the last batch's loss, the mean loss and the time.</summary>
    public static DataFrame History(TrainingHistory history, int every = 1)
    {
        var rows = history.Epochs.Where(e => e.Epoch % every == 0).ToList();
        return new DataFrame(
            new Int32DataFrameColumn(Localization.Text("epoch"), rows.Select(e => e.Epoch)),
            new DoubleDataFrameColumn(Localization.Text("loss"), rows.Select(e => Math.Round(e.Loss, 6))),
            new DoubleDataFrameColumn(Localization.Text("mean loss"), rows.Select(e => Math.Round(e.MeanLoss, 6))),
            new DoubleDataFrameColumn(Localization.Text("seconds"), rows.Select(e => Math.Round(e.Elapsed.TotalSeconds, 3))));
    }

    /// <summary>The confusion matrix: one row per true class, one column per predicted class.</summary>
    public static DataFrame Confusion(Evaluation evaluation, IReadOnlyList<string> classes)
    {
        var columns = new List<DataFrameColumn> { new StringDataFrameColumn(Localization.Text("true \\ predicted"), classes) };
        for (int p = 0; p < classes.Count; p++)
            columns.Add(new Int64DataFrameColumn(classes[p], Enumerable.Range(0, classes.Count).Select(t => evaluation.Confusion[t, p])));
        return new DataFrame(columns);
    }
}
