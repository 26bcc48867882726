"""The Tensor engine's array cache: large results are recycled only once nothing holds them."""

import numpy as np

from minitorch_nn.fast.memory import CACHE, ArrayCache
from minitorch_nn.tensor import Tensor
from minitorch_nn.tensor.nn import MLP

BIG = (512, 64)  # 256 KiB of float64: above the cache's lower limit


def test_small_arrays_are_not_cached():
    cache = ArrayCache()
    a = cache.empty((3, 4), np.float64)
    del a
    assert cache.held_bytes == 0


def test_a_free_array_is_handed_out_again():
    cache = ArrayCache()
    a = cache.empty(BIG, np.float64)
    address = a.ctypes.data
    del a
    b = cache.empty(BIG, np.float64)
    assert b.ctypes.data == address
    assert b.shape == BIG and b.dtype == np.float64 and b.flags.c_contiguous


def test_an_array_still_held_is_never_reused():
    cache = ArrayCache()
    a = cache.empty(BIG, np.float64)
    view = cache.empty(BIG, np.float64)[:, 0]  # only a view of the second one survives
    c = cache.empty(BIG, np.float64)
    assert not np.shares_memory(c, a)
    assert not np.shares_memory(c, view)


def test_dtype_and_shape_are_part_of_the_key():
    cache = ArrayCache()
    a = cache.empty(BIG, np.float64)
    del a
    b = cache.empty(BIG, np.float32)
    assert b.dtype == np.float32
    c = cache.empty((64, 512), np.float64)
    assert c.shape == (64, 512)


def test_limits_per_shape_and_in_bytes():
    cache = ArrayCache(per_shape=2, max_bytes=3 * 512 * 64 * 8)
    held = [cache.empty(BIG, np.float64) for _ in range(4)]
    assert cache.held_bytes == 2 * held[0].nbytes
    other = [cache.empty((64, 512), np.float64) for _ in range(2)]
    assert cache.held_bytes == 3 * held[0].nbytes  # only one of them fits
    del held, other
    # a new shape makes room by dropping arrays nobody holds
    cache.empty((128, 256), np.float64)
    assert cache.held_bytes == 512 * 64 * 8


def test_empty_cache_forgets_arrays():
    cache = ArrayCache()
    kept = cache.empty(BIG, np.float64)
    kept[...] = 1.0
    cache.empty_cache()
    assert cache.held_bytes == 0
    fresh = cache.empty(BIG, np.float64)
    assert not np.shares_memory(fresh, kept)
    assert (kept == 1.0).all()


def test_outputs_of_earlier_steps_keep_their_numbers():
    """A model's big outputs come from the cache; ones the user kept are never overwritten."""
    rng = np.random.default_rng(0)
    model = MLP(2, [64, 64, 1], seed=0)
    x1, x2 = rng.standard_normal((2, 1024, 2))
    first = model.layers[0](x1)
    saved = first.data.copy()
    for _ in range(3):
        out = model(x2).sum()
        out.backward()
    np.testing.assert_array_equal(first.data, saved)
    np.testing.assert_array_equal(model.layers[0](x1).data, saved)


def test_gradients_with_the_cache_match_fresh_arrays():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1024, 3))
    model = MLP(3, [64, 64, 1], seed=0)
    grads = []
    for max_bytes in (CACHE.max_bytes, 0):  # cached, then every array fresh
        cache_limit, CACHE.max_bytes = CACHE.max_bytes, max_bytes
        CACHE.empty_cache()
        try:
            model.zero_grad()
            for _ in range(2):  # twice: the second pass reuses the first one's arrays
                (model(Tensor(x)) ** 2).sum().backward()
            grads.append([p.grad.copy() for p in model.parameters()])
        finally:
            CACHE.max_bytes = cache_limit
    for cached, fresh in zip(*grads):
        np.testing.assert_array_equal(cached, fresh)


def test_empty_cache_is_exported_and_releases_the_engines_arrays():
    import minitorch_nn.tensor as T

    model = MLP(2, [64, 1], seed=0)
    model(np.ones((2048, 2))).sum().backward()
    assert CACHE.held_bytes > 0
    T.empty_cache()
    assert CACHE.held_bytes == 0


def test_threads_never_share_an_array_they_hold():
    import sys
    import threading

    cache = ArrayCache()
    clashes = []

    def work(mark: float) -> None:
        for _ in range(1500):
            a = cache.empty(BIG, np.float64)
            a.fill(mark)
            if not (a == mark).all():  # another thread wrote into the array we hold
                clashes.append(mark)
            del a

    threads = [threading.Thread(target=work, args=(float(k),)) for k in range(4)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often: without the cache's lock, ~4 clashes
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert clashes == []
    assert cache.held_bytes <= 8 * 512 * 64 * 8
