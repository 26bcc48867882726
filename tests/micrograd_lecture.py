# ruff: noqa
# The training loop of micrograd's lecture, as its viewers have it once they use the micrograd
# package: MLP(3, [4, 4, 1]) on four samples, squared error summed with Python's sum,
# gradients zeroed by hand, one SGD step of 0.1. Only the import lines name minitorch_nn.
# tests/test_micrograd_compat.py runs it.
from minitorch_nn.engine import Value
from minitorch_nn.nn import MLP

n = MLP(3, [4, 4, 1])
xs = [
    [2.0, 3.0, -1.0],
    [3.0, -1.0, 0.5],
    [0.5, 1.0, 1.0],
    [1.0, 1.0, -1.0],
]
ys = [1.0, -1.0, -1.0, 1.0] # desired targets

for k in range(20):

    # forward pass
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))

    # backward pass
    for p in n.parameters():
        p.grad = 0.0
    loss.backward()

    # update
    for p in n.parameters():
        p.data += -0.1 * p.grad

    print(k, loss.data)
