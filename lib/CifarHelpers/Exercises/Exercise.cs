using CifarHelpers.Data;
using CifarHelpers.Text;
using CifarHelpers.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CifarHelpers.Exercises;

/// <summary>
/// The checkers of notebook 12's exercises. Each runs the reader's function or model on inputs of its own (edge cases
/// included), prints exactly one line, <c>Exercise N: solved — what it measured</c> or <c>Exercise N: not yet — a
/// hint that names the first thing that is wrong</c> (localised), and returns the <see cref="Verdict"/>. A checker
/// never throws for a wrong or unfinished answer: the reader's exceptions become hints. Its work is bounded (small
/// inputs, a few dozen calls, and for exercise 6 two short trainings on at most 2,000 images).
/// </summary>
public static class Exercise
{
    /// <summary>Exercise 6's recipe: the training images the sweep uses, the epochs, the batch size, the learning rate and the seed.</summary>
    public const int SweepImages = 2000, SweepEpochs = 8, SweepBatchSize = 64, SweepSeed = 42;

    /// <summary>Exercise 6's learning rate (the article's).</summary>
    public const double SweepLearningRate = 1e-2;

    /// <summary>The largest train-minus-validation accuracy gap that exercise 6 counts as "not overfitting".</summary>
    public const double MaxGap = 0.04;

    /// <summary>
    /// Exercise 1 (§2.2): <paramref name="channelMeanStd"/> takes images <c>[N, 3, H, W]</c> and returns the mean and
    /// the (unbiased) standard deviation of each channel, <c>[3]</c> each. Compared with <see cref="ChannelStats.Of(Tensor)"/>
    /// on three test batches, one with N = 3 (where <c>view(3, -1)</c> without moving the channels first does not fail, but mixes them).
    /// </summary>
    public static Verdict Check1(Func<Tensor, (Tensor Mean, Tensor Std)> channelMeanStd) => Run(1, () =>
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        using var scale = tensor(new float[] { 1, 2, 3 }).view(1, 3, 1, 1);
        using var offset = tensor(new float[] { 0, 10, 20 }).view(1, 3, 1, 1);
        double worst = 0;
        foreach (long[] shape in new[] { new long[] { 6, 3, 4, 4 }, [3, 3, 2, 2], [2, 3, 2, 2] })
        {
            var images = rand(shape, generator: g) * scale + offset;
            var expected = ChannelStats.Of(images);
            var (mean, std) = channelMeanStd(images.clone());
            if (mean is null || std is null) return Verdict.Hint(1, Localization.Text("return two tensors, the mean and the std"));
            string what = $"[{string.Join(", ", shape)}]";
            if (!mean.shape.SequenceEqual([3L]) || !std.shape.SequenceEqual([3L]))
                return Verdict.Hint(1, Localization.Format($"for images {what} your mean has shape {Shape(mean)} and your std {Shape(std)}; expected [3] each, one value per channel"));
            double[] m = Values(mean), s = Values(std);
            if (Far(m, expected.Mean, 1e-4))
            {
                double[] mixed = Values(images.reshape(3, -1).mean([1]));
                return Close(m, mixed, 1e-4)
                    ? Verdict.Hint(1, Localization.Format($"for images {what} your means mix the channels: view(3, -1) on [N, 3, H, W] cuts the memory into 3 blocks of whole images; put the channel dimension first (transpose(0, 1)), then reshape(3, -1)"))
                    : Verdict.Hint(1, Localization.Format($"for images {what} your mean is [{List(m)}], the channels' mean is [{List(expected.Mean)}]"));
            }
            if (Far(s, expected.Std, 1e-4))
            {
                double[] biased = Values(images.transpose(0, 1).reshape(3, -1).std(1, unbiased: false));
                return Close(s, biased, 1e-4)
                    ? Verdict.Hint(1, Localization.Format($"for images {what} your std divides by n; torch's std (and the article's) divides by n - 1 (unbiased)"))
                    : Verdict.Hint(1, Localization.Format($"for images {what} your std is [{List(s)}], the channels' std is [{List(expected.Std)}]"));
            }
            worst = Math.Max(worst, Math.Max(MaxDiff(m, expected.Mean), MaxDiff(s, expected.Std)));
        }
        return Verdict.Pass(1, Localization.Format($"mean and std agree with ChannelStats.Of on 3 test batches (largest difference {worst:G2})"));
    }, e => e.Message.Contains("view", StringComparison.OrdinalIgnoreCase)
        ? Verdict.Hint(1, Localization.Text("view needs a tensor whose memory is in order; after transpose or permute use reshape(3, -1)"))
        : null);

    /// <summary>
    /// Exercise 2 (§3.1.4): <paramref name="logSoftmax"/> maps logits <c>[B, C]</c> to log-probabilities over dim 1.
    /// Compared with <c>log_softmax</c> on ordinary logits, then on logits of ±1000, where <c>log(softmax(x))</c> gives
    /// <c>-inf</c> and <c>exp(x)</c> overflows.
    /// </summary>
    public static Verdict Check2(Func<Tensor, Tensor> logSoftmax) => Run(2, () =>
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(2);
        var ordinary = randn([5, 3], generator: g) * 3;
        var answer = logSoftmax(ordinary.clone());
        if (answer is null) return Verdict.Hint(2, Localization.Text("return the tensor of log-probabilities"));
        if (!answer.shape.SequenceEqual(ordinary.shape))
            return Verdict.Hint(2, Localization.Format($"for logits [5, 3] your result has shape {Shape(answer)}; keep one log-probability per class, [5, 3]"));
        var expected = ordinary.log_softmax(1);
        double diff = MaxDiff(answer, expected);
        if (!(diff <= 1e-5))
        {
            if (MaxDiff(answer, ordinary.log_softmax(0)) <= 1e-5)
                return Verdict.Hint(2, Localization.Text("you normalised over dim 0, the batch; each row (dim 1) holds one image's classes"));
            return Verdict.Hint(2, Localization.Format($"on ordinary logits your result is {diff:F4} away from log_softmax: exp() of each row must sum to 1 (subtract the log of the row's sum of exp)"));
        }
        var extreme = tensor(new float[,] { { 1000, 0, -1000 }, { -1000, -1001, -1002 }, { 88, 89, 90 } });
        var big = logSoftmax(extreme.clone());
        if (big is null || !big.shape.SequenceEqual(extreme.shape))
            return Verdict.Hint(2, Localization.Format($"for logits [3, 3] your result has shape {Shape(big)}; keep one log-probability per class"));
        if (!big.isfinite().all().item<bool>())
            return Verdict.Hint(2, Localization.Text("at logits like [1000, 0, -1000] or [-1000, -1001, -1002] your result has inf or NaN: subtract each row's largest logit before exp()"));
        double bigDiff = MaxDiff(big, extreme.log_softmax(1));
        if (!(bigDiff <= 1e-3))
            return Verdict.Hint(2, Localization.Format($"at logits like [1000, 0, -1000] your result is finite but {bigDiff:F4} away from log_softmax"));
        double worst = Math.Max(diff, bigDiff);
        return Verdict.Pass(2, Localization.Format($"within {worst:G2} of log_softmax, and finite at logits of ±1000, where log(softmax(x)) gives -inf"));
    });

    /// <summary>
    /// Exercise 3 (§3.3): <paramref name="accuracy"/> runs a model over a loader and returns the share of images whose
    /// highest score is the true class. Run on the checker's model, which has a <c>Dropout</c> layer (so forgetting
    /// <c>eval()</c> changes the answer) and notes whether gradients were on, over 250 images in batches of 64 (the last
    /// has 58); compared with <see cref="Evaluator.Evaluate(nn.Module{Tensor, Tensor}, IEnumerable{ValueTuple{Tensor, Tensor}}, int, bool)"/>.
    /// </summary>
    public static Verdict Check3(Func<nn.Module<Tensor, Tensor>, IEnumerable<(Tensor Images, Tensor Labels)>, double> accuracy)
    {
        using var probe = new ValidationProbe();
        return Run(3, () =>
        {
            using var g = new Generator(3);
            using var images = randn([250, 3, 4, 4], generator: g);
            using var labels = (images.reshape(250, -1).narrow(1, 0, 8).sum(1) > 0).to_type(ScalarType.Int64);
            using var data = new ImageDataset(images.alias(), labels.alias(), ["a", "b"]);
            using var loader = new BatchLoader(data, batchSize: 64);
            double expected = Evaluator.Evaluate(probe, loader, classes: 2).Accuracy;
            probe.train();
            probe.Reset();
            double answer = accuracy(probe, loader);
            if (probe.SawTraining)
                return Verdict.Hint(3, Localization.Text("the model ran in training mode, so its Dropout layer dropped units: call model.eval() before the loop"));
            if (probe.SawGradients)
                return Verdict.Hint(3, Localization.Text("the model ran with gradients on: wrap the loop in using (no_grad()) { ... }"));
            if (probe.Images != 250)
                return Verdict.Hint(3, Localization.Format($"the model saw {probe.Images} of the 250 images: go through every batch of the loader once"));
            if (!(Math.Abs(answer - expected) <= 1e-6))
                return Verdict.Hint(3, Localization.Format($"your accuracy is {answer:F4}, Evaluator.Evaluate gives {expected:F4} on the same 250 images: count the hits (argmax(1) equal to the label) in every batch and divide by the number of images"));
            return Verdict.Pass(3, Localization.Format($"accuracy {answer:F4} on the checker's 250 images, the same as Evaluator.Evaluate, in eval mode and without gradients"));
        }, e => probe.SawUnflattened
            ? Verdict.Hint(3, Localization.Text("the model takes flat images: reshape each batch with imgs.view(imgs.shape[0], -1)"))
            : null);
    }

    /// <summary>
    /// Exercise 4 (the book's augmentation): <paramref name="randomCrop"/> takes one image <c>[3, 32, 32]</c> and returns
    /// a 32 × 32 window of it padded with 4 zeros on each side, at a random offset. Called 40 times on a test image whose
    /// every value is distinct: each result must be such a window, and the windows must move up-down and left-right.
    /// </summary>
    public static Verdict Check4(Func<Tensor, Tensor> randomCrop) => Run(4, () =>
    {
        using var scope = NewDisposeScope();
        var image = arange(1, 3 * 32 * 32 + 1, ScalarType.Float32).view(3, 32, 32);
        var before = image.clone();
        var padded = nn.functional.pad(image, [4, 4, 4, 4]);
        var offsets = new HashSet<(long Dy, long Dx)>();
        for (int call = 0; call < 40; call++)
        {
            var crop = randomCrop(image);
            if (crop is null) return Verdict.Hint(4, Localization.Text("return the cropped image"));
            if (!crop.shape.SequenceEqual([3L, 32, 32]))
                return Verdict.Hint(4, Localization.Format($"your crop has shape {Shape(crop)}; expected [3, 32, 32], the size of the image"));
            if (!image.allclose(before, rtol: 0, atol: 0))
                return Verdict.Hint(4, Localization.Text("your function changed the image it was given: crop a copy"));
            var found = Window(padded, crop.to_type(ScalarType.Float32));
            if (found is null)
                return Verdict.Hint(4, Localization.Text("your crop is not a 32 × 32 window of the image padded with 4 zeros on each side: pad first (nn.functional.pad(img, [4, 4, 4, 4])), then cut with narrow"));
            offsets.Add(found.Value);
        }
        if (offsets.Count == 1)
        {
            var (dy, dx) = offsets.Single();
            return Verdict.Hint(4, Localization.Format($"40 calls gave the same window every time (offset {dy}, {dx}): draw the offset at random in each call"));
        }
        if (offsets.Select(o => o.Dy).Distinct().Count() == 1)
            return Verdict.Hint(4, Localization.Text("your windows move only left and right: draw the vertical offset at random too"));
        if (offsets.Select(o => o.Dx).Distinct().Count() == 1)
            return Verdict.Hint(4, Localization.Text("your windows move only up and down: draw the horizontal offset at random too"));
        return Verdict.Pass(4, Localization.Format($"40 calls gave 40 windows of the padded image, at {offsets.Count} different offsets of the 81 possible"));
    });

    /// <summary>
    /// Exercise 5 (the book's "switch the loss to MSE"): <paramref name="mseLoss"/> takes the model's log-probabilities
    /// <c>[B, C]</c> and the labels <c>[B]</c> and returns the mean squared error between the probabilities and the
    /// one-hot targets, as one value that gradients flow through. Tried with 2 classes, then 3.
    /// </summary>
    public static Verdict Check5(Func<Tensor, Tensor, Tensor> mseLoss) => Run(5, () =>
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        foreach (int classes in new[] { 2, 3 })
        {
            var logProbs = (randn([6, classes], generator: g) * 2).log_softmax(1).detach().requires_grad_(true);
            var labels = randint(0, classes, [6], generator: g);
            var target = nn.functional.one_hot(labels, classes).to_type(ScalarType.Float32);
            var reference = nn.functional.mse_loss(logProbs.detach().exp(), target);
            Tensor? loss;
            try
            {
                loss = mseLoss(logProbs, labels.clone());
            }
            catch (Exception e) when (classes == 3 && e is not NotImplementedException)
            {
                return Verdict.Hint(5, Localization.Format($"your loss works with 2 classes but threw {e.GetType().Name} with 3: take the number of classes from logProbs.shape[1]"));
            }
            if (loss is null) return Verdict.Hint(5, Localization.Text("return the loss tensor"));
            if (loss.numel() != 1)
                return Verdict.Hint(5, Localization.Format($"your loss has shape {Shape(loss)}: MSELoss averages over the batch and the classes to one value"));
            double value = loss.to_type(ScalarType.Float64).item<double>(), expected = reference.to_type(ScalarType.Float64).item<double>();
            if (!(Math.Abs(value - expected) <= 1e-5))
            {
                double onLogs = nn.functional.mse_loss(logProbs.detach(), target).to_type(ScalarType.Float64).item<double>();
                if (Math.Abs(value - onLogs) <= 1e-5)
                    return Verdict.Hint(5, Localization.Text("you compared the log-probabilities with the one-hot targets: take exp() of the model's output first"));
                if (Math.Abs(value - expected * 6 * classes) <= 1e-4 || Math.Abs(value - expected * classes) <= 1e-5)
                    return Verdict.Hint(5, Localization.Text("you summed the squared errors: MSELoss takes their mean over all B × C values"));
                return classes == 3
                    ? Verdict.Hint(5, Localization.Format($"your loss is right with 2 classes but {value:F4} with 3, not {expected:F4}: take the number of classes from logProbs.shape[1]"))
                    : Verdict.Hint(5, Localization.Format($"your loss is {value:F4}, the mean squared error between the probabilities and the one-hot targets is {expected:F4}"));
            }
            if (!loss.requires_grad)
                return Verdict.Hint(5, Localization.Text("no gradient reaches the model's output: compute the loss from logProbs with tensor operations, without .item() or detach()"));
            loss.backward();
            var grad = logProbs.grad;
            var expectedGrad = ReferenceGradient(logProbs.detach(), target);
            if (grad is null || MaxDiff(grad, expectedGrad) > 1e-5)
                return Verdict.Hint(5, Localization.Text("your loss has the right value but not the right gradient: compute it from logProbs itself"));
        }
        return Verdict.Pass(5, Localization.Text("the same value and gradient as MSELoss on the probabilities and the one-hot targets, with 2 classes and with 3"));
    });

    /// <summary>
    /// Exercise 6 (the book's "shrink the network until it stops overfitting"): <paramref name="net"/> builds the
    /// article's net with a given number of hidden units, and <paramref name="largestHidden"/> is the reader's answer:
    /// the largest hidden size whose train-minus-validation accuracy gap is at most <see cref="MaxGap"/> under the
    /// sweep's recipe (the first <see cref="SweepImages"/> of <paramref name="train"/>, <see cref="SweepEpochs"/> epochs,
    /// batches of 64, SGD 1e-2, seed 42). The checker checks the builder, then trains <paramref name="largestHidden"/> and
    /// four times as many units (at most 512, the article's size) with that recipe: the first must not overfit, the second must.
    /// </summary>
    public static Verdict Check6(Func<int, nn.Module<Tensor, Tensor>> net, int largestHidden, ImageDataset train, ImageDataset val) => Run(6, () =>
    {
        if (BuilderProblem(net) is { } problem) return Verdict.Hint(6, problem);
        if (largestHidden <= 0)
            return Verdict.Hint(6, Localization.Format($"set largestHidden to the largest hidden size whose gap in the sweep is at most {MaxGap:F2}"));
        if (largestHidden > 512)
            return Verdict.Hint(6, Localization.Text("largestHidden is at most 512, the article's size: the exercise is to shrink the net"));
        double gap = Gap(net, largestHidden, train, val);
        if (gap > MaxGap)
            return Verdict.Hint(6, Localization.Format($"with {largestHidden} hidden units the gap is {gap:F4}, above {MaxGap:F2}: it still overfits, try a smaller size"));
        int larger = Math.Min(4 * largestHidden, 512);
        if (larger == largestHidden)
            return Verdict.Pass(6, Localization.Format($"gap {gap:F4} with {largestHidden} hidden units, at most {MaxGap:F2}"));
        double largerGap = Gap(net, larger, train, val);
        if (largerGap <= MaxGap)
            return Verdict.Hint(6, Localization.Format($"{larger} hidden units do not overfit either (gap {largerGap:F4}): a larger size passes, look for the largest"));
        return Verdict.Pass(6, Localization.Format($"gap {gap:F4} with {largestHidden} hidden units, at most {MaxGap:F2}; {largerGap:F4} with {larger}, which still overfits"));
    });

    /// <summary>
    /// Whether <paramref name="net"/> builds exercise 6's nets: for 1 and 3 hidden units, the article's layer sizes,
    /// and log-probabilities for a batch of flat images. Prints nothing and never throws; the sweep runs only then.
    /// </summary>
    public static bool Builds(Func<int, nn.Module<Tensor, Tensor>> net)
    {
        try { return BuilderProblem(net) is null; }
        catch (Exception) { return false; }
    }

    /// <summary>The first thing wrong with exercise 6's builder, or null.</summary>
    static string? BuilderProblem(Func<int, nn.Module<Tensor, Tensor>> net)
    {
        foreach (int hidden in new[] { 1, 3 })
        {
            using var scope = NewDisposeScope();
            using var model = net(hidden);
            if (model is null) return Localization.Text("return the model");
            long count = model.parameters().Sum(p => p.numel()), expected = 3072L * hidden + hidden + 2L * hidden + 2;
            if (count != expected)
                return Localization.Format($"Net({hidden}) has {count} parameters, expected {expected}: Linear(3072, hidden), Tanh, Linear(hidden, 2), LogSoftmax(dim: 1)");
            using var noGrad = no_grad();
            var output = model.forward(zeros(4, 3072));
            if (!output.shape.SequenceEqual([4L, 2]))
                return Localization.Format($"for 4 flat images Net({hidden}) returns shape {Shape(output)}, expected [4, 2]");
            if (MaxDiff(output.exp().sum(1), ones(4)) > 1e-4)
                return Localization.Text("the net's outputs are not log-probabilities: end it with LogSoftmax(dim: 1)");
        }
        return null;
    }

    /// <summary>Exercise 6's recipe: the train-minus-validation accuracy gap of <c>net(hidden)</c> trained as the sweep trains it.</summary>
    static double Gap(Func<int, nn.Module<Tensor, Tensor>> net, int hidden, ImageDataset train, ImageDataset val)
    {
        using var small = new ImageDataset(train.Images.narrow(0, 0, Math.Min(SweepImages, train.Count)).alias(),
                                           train.Labels.narrow(0, 0, Math.Min(SweepImages, train.Count)).alias(), train.Classes);
        manual_seed(SweepSeed);
        using var model = net(hidden);
        var trainer = model is Sequential sequential ? TryFused(sequential) : null;
        trainer ??= new Trainer(model, optim.SGD(model.parameters(), SweepLearningRate), nn.NLLLoss());
        using var loader = new BatchLoader(small, SweepBatchSize, shuffle: true, seed: SweepSeed);
        trainer.Fit(loader, SweepEpochs);
        double trainAccuracy = Evaluator.Evaluate(model, new BatchLoader(small, 500), classes: 2).Accuracy;
        double valAccuracy = Evaluator.Evaluate(model, new BatchLoader(val, 500), classes: 2).Accuracy;
        return trainAccuracy - valAccuracy;
    }

    static Trainer? TryFused(Sequential model)
    {
        try { return Trainer.FusedSgd(model, SweepLearningRate); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>Where the verdicts go in this flow of execution instead of the console (for tests that run in parallel).</summary>
    internal static readonly AsyncLocal<TextWriter?> Output = new();

    /// <summary>Runs a check; prints and returns its verdict; turns the reader's exceptions into hints, <paramref name="special"/>'s first.</summary>
    static Verdict Run(int number, Func<Verdict> check, Func<Exception, Verdict?>? special = null)
    {
        Verdict verdict;
        try
        {
            verdict = check();
        }
        catch (Exception e)
        {
            verdict = (e is NotImplementedException ? null : special?.Invoke(e)) ?? Verdict.Threw(number, e);
        }
        (Output.Value ?? Console.Out).WriteLine(verdict.Line);
        return verdict;
    }

    /// <summary>The offset of <paramref name="crop"/> as a window of <paramref name="padded"/>, or null.</summary>
    static (long, long)? Window(Tensor padded, Tensor crop)
    {
        for (long dy = 0; dy <= padded.shape[1] - 32; dy++)
            for (long dx = 0; dx <= padded.shape[2] - 32; dx++)
            {
                using var window = padded.narrow(1, dy, 32).narrow(2, dx, 32);
                bool same = window.allclose(crop, rtol: 0, atol: 0);
                if (same) return (dy, dx);
            }
        return null;
    }

    static Tensor ReferenceGradient(Tensor logProbs, Tensor target)
    {
        using var x = logProbs.clone().requires_grad_(true);
        using var loss = nn.functional.mse_loss(x.exp(), target);
        loss.backward();
        return x.grad!.clone();
    }

    static string Shape(Tensor? t) => t is null ? "null" : $"[{string.Join(", ", t.shape)}]";

    static double[] Values(Tensor t)
    {
        using var d = t.detach().to_type(ScalarType.Float64).cpu().contiguous();
        return d.data<double>().ToArray();
    }

    static string List(double[] values) => string.Join(", ", values.Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)));

    static double MaxDiff(double[] a, double[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));

    static double MaxDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var d = (a.detach().to_type(ScalarType.Float64) - b.detach().to_type(ScalarType.Float64)).abs().max().item<double>();
        return double.IsNaN(d) ? double.PositiveInfinity : d;
    }

    static bool Close(double[] a, double[] b, double tolerance) => a.Length == b.Length && MaxDiff(a, b) <= tolerance;

    static bool Far(double[] a, double[] b, double tolerance) => !Close(a, b, tolerance);

    /// <summary>Exercise 3's model: flat <c>[B, 48]</c> → log-probabilities over 2 classes, with a Dropout layer; it notes how it was run.</summary>
    sealed class ValidationProbe : nn.Module<Tensor, Tensor>
    {
        readonly Linear _first, _second;
        readonly Dropout _dropout;

        public ValidationProbe() : base("ValidationProbe")
        {
            _first = nn.Linear(48, 16);
            _dropout = nn.Dropout(0.5);
            _second = nn.Linear(16, 2);
            RegisterComponents();
            using var g = new Generator(33);
            using var noGrad = no_grad();
            foreach (var p in parameters()) p.copy_(randn(p.shape, generator: g) * 0.5);
        }

        public bool SawTraining { get; private set; }
        public bool SawGradients { get; private set; }
        public bool SawUnflattened { get; private set; }
        public long Images { get; private set; }

        public void Reset() => (SawTraining, SawGradients, SawUnflattened, Images) = (false, false, false, 0);

        public override Tensor forward(Tensor x)
        {
            if (x.dim() != 2 || x.shape[1] != 48)
            {
                SawUnflattened = true;
                throw new ArgumentException($"The model takes flat images [B, 48]; it got [{string.Join(", ", x.shape)}].");
            }
            SawTraining |= training;
            SawGradients |= is_grad_enabled();
            Images += x.shape[0];
            using var scope = NewDisposeScope();
            var hidden = _dropout.forward(_first.forward(x)).tanh();
            return _second.forward(hidden).log_softmax(1).MoveToOuterDisposeScope();
        }
    }
}
