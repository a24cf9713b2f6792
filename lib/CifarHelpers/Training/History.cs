namespace CifarHelpers.Training;

/// <summary>What one epoch of training gave.</summary>
/// <param name="Epoch">The epoch, counted from 0 as the article's <c>for epoch in range(n_epochs)</c> and its <c>Epoch: 0</c> line.</param>
/// <param name="Loss">The loss of the epoch's last batch, as the article prints it.</param>
/// <param name="MeanLoss">The mean loss over the epoch's batches.</param>
/// <param name="Elapsed">The epoch's wall time.</param>
public sealed record EpochResult(int Epoch, double Loss, double MeanLoss, TimeSpan Elapsed);

/// <summary>The per-epoch results of a training run, in order.</summary>
public sealed class TrainingHistory
{
    readonly List<EpochResult> _epochs = [];

    /// <summary>The epochs so far.</summary>
    public IReadOnlyList<EpochResult> Epochs => _epochs;

    /// <summary>Adds one epoch's result.</summary>
    public void Add(EpochResult result) => _epochs.Add(result);

    /// <summary>The total wall time.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(_epochs.Sum(e => e.Elapsed.Ticks));
}
