namespace CifarHelpers.Tests;

/// <summary>The notebook runs of the tests leave the reader's own files alone.</summary>
[Collection("notebooks")]
[Trait("Category", "Notebook")]
public class WorkspaceTests(NotebookSeries series)
{
    [Fact]
    public void TheSeriesSavesItsModelsInItsWorkspaceAndLeavesTheReadersModelsAsTheyWere()
    {
        // Notebook 08 saved a model, and it landed in the test workspace...
        Assert.NotEmpty(NotebookSeries.Snapshot(series.Workspace.Models));
        // ...while the reader's data/models holds the same files with the same bytes as before the series ran.
        var after = NotebookSeries.Snapshot(Path.Combine(series.Repo, "data", "models"));
        Assert.Equal(series.ReadersModelsBefore.OrderBy(kv => kv.Key), after.OrderBy(kv => kv.Key));
    }
}
