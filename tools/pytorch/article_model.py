#!/usr/bin/python3
"""The tutorial's two networks in PyTorch, for moving weights between PyTorch and the C# notebooks.

    fc   the article's fully connected net: Linear(3072, 512), Tanh, Linear(512, 2), LogSoftmax(dim=1)
         (state_dict keys 0.weight, 0.bias, 2.weight, 2.bias); it takes images [N, 3, 32, 32] and flattens
         them to [N, 3072] itself, as the article's loop does with img.view(img.shape[0], -1)
    cnn  the book's chapter-8 Net: conv1, conv2 (3x3, padding 1, each followed by tanh and a 2x2 max-pool),
         fc1 (512 -> 32), tanh, fc2 (32 -> 2); logits (keys conv1.weight ... fc2.bias)

Subcommands:

    save-reference OUTDIR --model fc|cnn [--seed S]
        builds the network from seed S, saves its state_dict to OUTDIR/MODEL-state_dict.pt and, in
        OUTDIR/MODEL-io.pt, a dict {"inputs": 8 fixed images [8, 3, 32, 32], "outputs": the network's outputs}
    check STATE_DICT --model fc|cnn --inputs FILE [--out OUT]
        loads a state_dict saved elsewhere (for example by C#'s PyTorchStateDict.Save) with load_state_dict
        (strict: every key, every shape), runs it on FILE's "inputs", prints the outputs and, with --out,
        saves them as {"outputs": ...}
    evaluate STATE_DICT --model fc|cnn --data BATCHES_DIR --stats CHECKPOINT.json
        scores a state_dict on the airplanes and birds of CIFAR-10's test_batch.bin (the tutorial's validation
        set), normalised with the Mean and Std the C# checkpoint's .json records; needs no torchvision

Run it with Debian's /usr/bin/python3, which sees python3-torch (apt-get install python3-torch); another
python3 on PATH (pyenv, a virtual environment) has its own packages and may have no torch.
"""
import argparse
import os
import sys

import torch
from torch import nn
import torch.nn.functional as F


class Net(nn.Module):
    """The book's chapter-8 convolutional network, with functional activations and pooling."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 8, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(8 * 8 * 8, 32)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        out = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        out = F.max_pool2d(torch.tanh(self.conv2(out)), 2)
        out = out.view(-1, 8 * 8 * 8)
        out = torch.tanh(self.fc1(out))
        return self.fc2(out)


def build(name):
    if name == "fc":
        return nn.Sequential(nn.Linear(3072, 512), nn.Tanh(), nn.Linear(512, 2), nn.LogSoftmax(dim=1))
    return Net()


def run(model, name, images):
    """The outputs for images [N, 3, 32, 32]; the fully connected net sees them flattened row by row."""
    model.eval()
    with torch.no_grad():
        x = images.view(images.shape[0], -1) if name == "fc" else images
        return model(x)


def show(outputs):
    for row in outputs.tolist():
        print(" ".join(f"{v:.6f}" for v in row))


def save_reference(args):
    torch.manual_seed(args.seed)
    model = build(args.model)
    # Eight fixed images, drawn from their own generator: roughly the range of normalised pixels.
    inputs = torch.randn(8, 3, 32, 32, generator=torch.Generator().manual_seed(1000 + args.seed))
    outputs = run(model, args.model, inputs)
    os.makedirs(args.outdir, exist_ok=True)
    weights = os.path.join(args.outdir, f"{args.model}-state_dict.pt")
    io = os.path.join(args.outdir, f"{args.model}-io.pt")
    torch.save(model.state_dict(), weights)
    torch.save({"inputs": inputs, "outputs": outputs}, io)
    print(f"torch {torch.__version__}: saved {weights} and {io}")
    for key, value in model.state_dict().items():
        print(f"  {key} {list(value.shape)}")
    show(outputs)


def check(args):
    model = build(args.model)
    model.load_state_dict(torch.load(args.state_dict))
    inputs = torch.load(args.inputs)["inputs"]
    outputs = run(model, args.model, inputs)
    print(f"torch {torch.__version__}: loaded {args.state_dict} into the {args.model} net")
    show(outputs)
    if args.out:
        torch.save({"outputs": outputs}, args.out)


def evaluate(args):
    import json
    model = build(args.model)
    model.load_state_dict(torch.load(args.state_dict))
    with open(os.path.join(args.data, "test_batch.bin"), "rb") as f:
        records = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).view(-1, 1 + 3 * 32 * 32)
    labels = records[:, 0].long()
    keep = (labels == 0) | (labels == 2)  # airplane 0 -> 0, bird 2 -> 1
    images = records[keep, 1:].view(-1, 3, 32, 32).float() / 255  # what ToTensor() gives
    with open(args.stats) as f:
        info = json.load(f)
    mean = torch.tensor(info["Mean"], dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(info["Std"], dtype=torch.float32).view(1, 3, 1, 1)
    predicted = run(model, args.model, (images - mean) / std).argmax(dim=1)
    truth = (labels[keep] == 2).long()
    correct = int((predicted == truth).sum())
    print(f"torch {torch.__version__}: {args.state_dict}, validation accuracy {correct / len(truth):.4f} ({correct} of {len(truth)})")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    save = commands.add_parser("save-reference", help="save a state_dict and the outputs on 8 fixed inputs")
    save.add_argument("outdir")
    save.add_argument("--model", choices=["fc", "cnn"], required=True)
    save.add_argument("--seed", type=int, default=0)
    save.set_defaults(func=save_reference)
    load = commands.add_parser("check", help="load a state_dict saved elsewhere and print its outputs")
    load.add_argument("state_dict")
    load.add_argument("--model", choices=["fc", "cnn"], required=True)
    load.add_argument("--inputs", required=True, help='a torch.save file holding {"inputs": [N, 3, 32, 32]}')
    load.add_argument("--out", help='where to save {"outputs": ...}')
    load.set_defaults(func=check)
    score = commands.add_parser("evaluate", help="score a state_dict on CIFAR-10's airplanes and birds")
    score.add_argument("state_dict")
    score.add_argument("--model", choices=["fc", "cnn"], required=True)
    score.add_argument("--data", required=True, help="the folder with test_batch.bin (data/CIFAR-10/cifar-10-batches-bin)")
    score.add_argument("--stats", required=True, help="the checkpoint's .json, with Mean and Std")
    score.set_defaults(func=evaluate)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
