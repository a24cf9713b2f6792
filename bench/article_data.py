"""The article's data code, timed: statistics from all 50,000 stacked tensors, then the normalised bird/airplane lists.

Usage: python3 bench/article_data.py [BATCHES_BIN_DIR] [RUNS]   (Debian 12: apt-get install python3-torchvision)

TorchVision's CIFAR10 reads the Python (pickle) release; this writes the same images in that format once, from the
binary files the benchmark uses, into $TMPDIR/article-data/cifar-10-batches-py (not timed). TorchVision checks each
file's MD5 as usual, against the MD5s of those files.
"""
import hashlib, os, pickle, sys, tempfile, time

import numpy as np
import torch
from torchvision import datasets, transforms

batches = sys.argv[1] if len(sys.argv) > 1 else "data/CIFAR-10/cifar-10-batches-bin"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
data_path = os.path.join(tempfile.gettempdir(), "article-data")
py_dir = os.path.join(data_path, "cifar-10-batches-py")
names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
if not os.path.exists(os.path.join(py_dir, "test_batch")):
    os.makedirs(py_dir, exist_ok=True)
    for name in names:
        raw = np.fromfile(os.path.join(batches, name + ".bin"), dtype=np.uint8).reshape(-1, 3073)
        with open(os.path.join(py_dir, name), "wb") as f:
            pickle.dump({"data": raw[:, 1:].copy(), "labels": raw[:, 0].tolist()}, f)
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    with open(os.path.join(py_dir, "batches.meta"), "wb") as f:
        pickle.dump({"label_names": classes}, f)
md5 = lambda name: hashlib.md5(open(os.path.join(py_dir, name), "rb").read()).hexdigest()
datasets.CIFAR10.train_list = [[n, md5(n)] for n in names[:5]]
datasets.CIFAR10.test_list = [[names[5], md5(names[5])]]
datasets.CIFAR10.meta["md5"] = md5("batches.meta")


def article():
    # Section 2.2: statistics of all training images, stacked on dim 3.
    tensor_cifar10 = datasets.CIFAR10(data_path, train=True, download=False, transform=transforms.ToTensor())
    imgs = torch.stack([img_t for img_t, _ in tensor_cifar10], dim=3)
    mean, std = imgs.view(3, -1).mean(dim=1), imgs.view(3, -1).std(dim=1)
    # Section 2.2/2.3: normalised datasets, then the bird/airplane lists.
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean, std)])
    cifar10 = datasets.CIFAR10(data_path, train=True, download=False, transform=transform)
    cifar10_val = datasets.CIFAR10(data_path, train=False, download=False, transform=transform)
    label_map = {0: 0, 2: 1}
    cifar2 = [(img, label_map[label]) for img, label in cifar10 if label in [0, 2]]
    cifar2_val = [(img, label_map[label]) for img, label in cifar10_val if label in [0, 2]]
    return mean, std, len(cifar2), len(cifar2_val)


print(f"torch {torch.__version__}, torchvision {__import__('torchvision').__version__}, {torch.get_num_threads()} threads")
times = []
for run in range(runs):
    start = time.perf_counter()
    mean, std, n, n_val = article()
    times.append(time.perf_counter() - start)
    print(f"run {run + 1}: {times[-1]:.2f} s ({n} + {n_val} images, mean {mean.numpy().round(4)}, std {std.numpy().round(4)})")
print(f"article_data_first_s: {times[0]:.3f}")
print(f"article_data_median_s: {sorted(times)[len(times) // 2]:.3f}")
