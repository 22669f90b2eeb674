using System.Runtime.ExceptionServices;

namespace Differentiable.Tests.Runtime;

/// <summary>The per-thread stacks generated reverse sweeps save values on.</summary>
public class TapeTests
{
    [Fact]
    public void PushAndPop_AreLastInFirstOut_ForEveryType() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        AssertLastInFirstOut(tape.Doubles, [1.5, -2.25, double.NaN, double.PositiveInfinity, 0.0]);
        AssertLastInFirstOut(tape.Singles, [1.5f, -2.25f, float.NaN, float.Epsilon]);
        AssertLastInFirstOut(tape.Ints, [3, -7, int.MaxValue, int.MinValue, 0]);
        AssertLastInFirstOut(tape.Bools, [true, false, false, true]);
    });

    [Fact]
    public void PushSliceAndPopSlice_SaveAndRestoreARangeInPlace() => OnNewThread(() =>
    {
        TapeStack<double> doubles = Tape.Current.Doubles;
        double[] values = [1, 2, 3, 4, 5];
        doubles.PushSlice(values, 1, 3);
        doubles.Push(9);
        Assert.Equal(4, doubles.Count);

        values[1] = values[2] = values[3] = -1;
        Assert.Equal(9, doubles.Pop());
        doubles.PopSlice(values, 1, 3);
        Assert.Equal([1.0, 2, 3, 4, 5], values);
        Assert.Equal(0, doubles.Count);
    });

    [Theory]
    [InlineData(5)]    // copied inline
    [InlineData(32)]   // the longest range copied inline
    [InlineData(33)]   // through PushRange and PopRange
    [InlineData(1000)] // longer than the initial capacity
    public void PushSliceAndPopSlice_RoundTripRangesOfAnyLength_AcrossGrowth(int count) => OnNewThread(() =>
    {
        TapeStack<double> doubles = Tape.Current.Doubles;
        double[] values = Enumerable.Range(0, count + 2).Select(i => i * 1.5).ToArray();
        double[] original = (double[])values.Clone();

        // Fill the stack almost to its capacity first, so that the range does not fit without growing.
        doubles.Push(-1);
        while (doubles.Count < doubles.Capacity - 1)
        {
            doubles.Push(doubles.Count);
        }

        int below = doubles.Count;
        doubles.PushSlice(values, 1, count);
        Assert.Equal(below + count, doubles.Count);

        Array.Fill(values, double.NaN, 1, count);
        doubles.PopSlice(values, 1, count);
        Assert.Equal(original, values);
        Assert.Equal(below, doubles.Count);
        Assert.Equal(below - 1.0, doubles.Pop());
    });

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public void PopSlice_OfMoreThanTheStackHolds_Throws_AndChangesNothing(int count) => OnNewThread(() =>
    {
        TapeStack<double> doubles = Tape.Current.Doubles;
        doubles.Push(7);
        double[] values = new double[count];
        Assert.Throws<InvalidOperationException>(() => doubles.PopSlice(values, 0, count));
        Assert.Equal(1, doubles.Count);
        Assert.All(values, v => Assert.Equal(0.0, v));
    });

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void PushSliceAndPopSlice_OfNoElements_TouchNothing_EvenPastTheEnd(int count) => OnNewThread(() =>
    {
        // A loop that does not run saves an empty range; its start may lie past the buffer's end.
        TapeStack<double> doubles = Tape.Current.Doubles;
        double[] values = [1, 2];
        doubles.PushSlice(values, 7, count);
        Assert.Equal(0, doubles.Count);
        doubles.PopSlice(values, 7, count);
        Assert.Equal([1.0, 2], values);
    });

    [Fact]
    public void Peek_ReturnsTheTopWithoutRemovingIt() => OnNewThread(() =>
    {
        TapeStack<int> ints = Tape.Current.Ints;
        ints.Push(1);
        ints.Push(2);
        Assert.Equal(2, ints.Peek());
        Assert.Equal(2, ints.Count);
        Assert.Equal(2, ints.Pop());
        Assert.Equal(1, ints.Peek());
        Assert.Equal(1, ints.Pop());
    });

    [Fact]
    public void PushRangeAndPopRange_RoundTripInOrder_BetweenSinglePushes() => OnNewThread(() =>
    {
        TapeStack<double> doubles = Tape.Current.Doubles;
        double[] first = [1, 2, 3];
        double[] second = [4, 5, 6, 7];
        doubles.Push(-1);
        doubles.PushRange(first);
        doubles.Push(-2);
        doubles.PushRange(second);
        doubles.PushRange([]);

        doubles.PopRange([]);
        var restored = new double[4];
        doubles.PopRange(restored);
        Assert.Equal(second, restored);
        Assert.Equal(-2, doubles.Pop());
        restored = new double[3];
        doubles.PopRange(restored);
        Assert.Equal(first, restored);
        Assert.Equal(-1, doubles.Pop());
        Assert.Equal(0, doubles.Count);
    });

    [Fact]
    public void Growth_PastTheInitialCapacity_KeepsEveryValue() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        Assert.Equal(0, tape.Doubles.Capacity); // nothing is allocated before the first push

        const int n = 10_000;
        for (int i = 0; i < n; i++)
        {
            tape.Doubles.Push(i + 0.5);
            tape.Bools.Push(i % 3 == 0);
        }

        double[] block = Enumerable.Range(0, 5_000).Select(i => -i - 0.25).ToArray();
        tape.Doubles.PushRange(block); // one push larger than the doubled capacity
        Assert.Equal(n + block.Length, tape.Doubles.Count);
        Assert.True(tape.Doubles.Capacity >= n + block.Length);
        Assert.True(tape.Bools.Capacity >= n);

        var restored = new double[block.Length];
        tape.Doubles.PopRange(restored);
        Assert.Equal(block, restored);
        for (int i = n - 1; i >= 0; i--)
        {
            Assert.Equal(i % 3 == 0, tape.Bools.Pop());
            Assert.Equal(i + 0.5, tape.Doubles.Pop());
        }
    });

    [Fact]
    public void Restore_PopsEveryStackBackToTheMark_IncludingNestedMarks() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        tape.Doubles.Push(1);
        tape.Ints.Push(1);
        TapeMark outer = tape.Mark();
        Assert.Equal(new TapeMark(1, 0, 1, 0), outer);

        tape.Doubles.Push(2);
        tape.Singles.Push(2);
        TapeMark inner = tape.Mark();
        tape.Doubles.Push(3);
        tape.Singles.Push(3);
        tape.Ints.Push(3);
        tape.Bools.Push(true);

        tape.Restore(inner);
        Assert.Equal(inner, tape.Mark());
        Assert.Equal(2, tape.Doubles.Peek());
        Assert.Equal(2f, tape.Singles.Peek());

        tape.Restore(outer);
        Assert.Equal(outer, tape.Mark());
        Assert.Equal(1, tape.Doubles.Pop());
        Assert.Equal(1, tape.Ints.Pop());
        tape.Restore(new TapeMark(0, 0, 0, 0));
    });

    [Fact]
    public void Restore_InFinally_DiscardsWhatAnInterruptedSweepPushed() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        tape.Ints.Push(42);
        TapeMark before = tape.Mark();

        Assert.Throws<DivideByZeroException>(() => EntryPointThatThrowsMidSweep(0));

        Assert.Equal(before, tape.Mark());
        Assert.Equal(42, tape.Ints.Pop());
    });

    [Fact]
    public void Restore_BelowTheMark_Throws() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        tape.Doubles.Push(1);
        tape.Ints.Push(1);
        TapeMark mark = tape.Mark();
        tape.Doubles.Pop(); // popped below the mark: a generator bug
        tape.Ints.Push(2);

        var error = Assert.Throws<InvalidOperationException>(() => tape.Restore(mark));
        Assert.Contains("below the mark", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, tape.Ints.Count); // the other stacks were restored
    });

    [Fact]
    public void Tapes_ArePerThread()
    {
        const int n = 50_000;
        using var bothStarted = new Barrier(2);
        var tapes = new Tape[2];
        var threads = new Thread[2];
        var errors = new Exception?[2];
        for (int t = 0; t < 2; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    Tape tape = Tape.Current;
                    tapes[id] = tape;
                    Assert.Same(tape, Tape.Current);
                    TapeMark mark = tape.Mark();
                    try
                    {
                        bothStarted.SignalAndWait();
                        for (int i = 0; i < n; i++)
                        {
                            tape.Ints.Push((id * n) + i);
                        }

                        for (int i = n - 1; i >= 0; i--)
                        {
                            Assert.Equal((id * n) + i, tape.Ints.Pop());
                        }
                    }
                    finally
                    {
                        tape.Restore(mark);
                    }
                }
                catch (Exception e)
                {
                    errors[id] = e;
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Null(errors[0]);
        Assert.Null(errors[1]);
        Assert.NotSame(tapes[0], tapes[1]);
        Assert.NotSame(tapes[0], Tape.Current);
    }

    [Fact]
    public void Restore_ToEmpty_ShrinksStorageFarAboveTheLastPeak() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        const int big = 1 << 20; // 8 MiB of doubles
        Call(tape, big);
        int grown = tape.Doubles.Capacity;
        Assert.True(grown >= big);

        Call(tape, big); // the same peak again: kept
        Assert.Equal(grown, tape.Doubles.Capacity);

        Call(tape, 10); // a small call: more than 4x too big and above 1 MiB, so it shrinks (to at least 256)
        Assert.Equal(256, tape.Doubles.Capacity);

        Call(tape, big); // grows again, values intact
        Assert.True(tape.Doubles.Capacity >= big);
        Call(tape, 200_000); // shrinks to fit the peak
        Assert.Equal(200_000, tape.Doubles.Capacity);
        Call(tape, 200_000);
        Assert.Equal(200_000, tape.Doubles.Capacity);
        Call(tape, 10); // 1.6 MB, more than 4x: shrinks again
        Assert.Equal(256, tape.Doubles.Capacity);
        Call(tape, 10); // 2 kB: below 1 MiB, kept
        Assert.Equal(256, tape.Doubles.Capacity);

        static void Call(Tape tape, int pushes)
        {
            TapeMark mark = tape.Mark();
            try
            {
                for (int i = 0; i < pushes; i++)
                {
                    tape.Doubles.Push(i);
                }

                for (int i = pushes - 1; i >= 0; i--)
                {
                    Assert.Equal(i, tape.Doubles.Pop());
                }
            }
            finally
            {
                tape.Restore(mark);
            }
        }
    });

    [Fact]
    public void Restore_ToEmpty_KeepsStorageBelowOneMebibyte() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        TapeMark mark = tape.Mark();
        tape.Ints.PushRange(new int[200_000]); // 800 kB
        tape.Restore(mark);
        int capacity = tape.Ints.Capacity;

        tape.Ints.Push(1);
        tape.Restore(mark);
        Assert.Equal(capacity, tape.Ints.Capacity);
    });

    [Fact]
    public void Restore_ShrinksNothing_WhileAnOuterCallStillHoldsValues() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        TapeMark empty = tape.Mark();
        tape.Doubles.PushRange(new double[1 << 20]);
        tape.Restore(empty);
        int grown = tape.Doubles.Capacity;

        tape.Ints.Push(1); // an outer call's value
        TapeMark inner = tape.Mark();
        tape.Doubles.Push(1);
        tape.Restore(inner);
        Assert.Equal(grown, tape.Doubles.Capacity);
        tape.Restore(empty);
    });

    [Fact]
    public void RepeatedCalls_WithTheSamePeak_AllocateNothing() => OnNewThread(() =>
    {
        const int n = 300_000; // above 1 MiB for doubles, floats and ints
        var vector = new double[1_000];
        var restored = new double[1_000];
        double sink = 0;
        void Call()
        {
            Tape tape = Tape.Current;
            TapeMark mark = tape.Mark();
            try
            {
                for (int i = 0; i < n; i++)
                {
                    tape.Doubles.Push(i);
                    tape.Singles.Push(i);
                    tape.Ints.Push(i);
                    tape.Bools.Push((i & 1) == 0);
                }

                tape.Doubles.PushRange(vector);
                tape.Doubles.PopRange(restored);
                for (int i = 0; i < n / 2; i++)
                {
                    sink += tape.Doubles.Pop() + tape.Singles.Pop() + tape.Ints.Pop() + (tape.Bools.Pop() ? 1 : 0);
                }
            }
            finally
            {
                tape.Restore(mark); // the other half is discarded
            }
        }

        Call(); // warm up: JIT and growth
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++)
        {
            Call();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sink > 0);
        Assert.Equal(0, allocated);
    });

    [Fact]
    public void LastPeakBytes_IsZero_BeforeAnyCall() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        Assert.Equal(0, tape.LastPeakBytes);
        tape.Doubles.Push(1); // not yet restored: nothing recorded
        Assert.Equal(0, tape.LastPeakBytes);
        tape.Doubles.Pop();
    });

    [Fact]
    public void LastPeakBytes_SumsElementSizeTimesPeakHeight_OverTheFourStacks() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        TapeMark mark = tape.Mark();
        for (int i = 0; i < 10; i++)
        {
            tape.Doubles.Push(i);
        }

        tape.Ints.PushRange([1, 2, 3]);
        tape.Restore(mark);
        Assert.Equal((10 * sizeof(double)) + (3 * sizeof(int)), tape.LastPeakBytes);

        // Every type, and peaks reached before pops: 4 doubles, 5 floats, 2 ints, 7 bools at their highest.
        mark = tape.Mark();
        tape.Doubles.PushRange([1, 2, 3, 4]);
        tape.Doubles.Pop();
        tape.Doubles.Pop();
        tape.Doubles.Push(5); // height 3 again, below the peak of 4
        tape.Singles.PushRange([1, 2, 3, 4, 5]);
        tape.Ints.Push(1);
        tape.Ints.Push(2);
        tape.Ints.Pop();
        for (int i = 0; i < 7; i++)
        {
            tape.Bools.Push(i % 2 == 0);
        }

        tape.Restore(mark);
        Assert.Equal((4 * 8) + (5 * 4) + (2 * 4) + (7 * 1), tape.LastPeakBytes);
    });

    [Fact]
    public void LastPeakBytes_IsRecordedByTheOutermostRestoreOnly_AndCoversNestedCalls() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        TapeMark outer = tape.Mark();
        tape.Doubles.Push(1);
        tape.Doubles.Push(2);

        TapeMark inner = tape.Mark(); // a nested generated call
        tape.Doubles.PushRange([3, 4, 5]);
        tape.Ints.Push(1);
        tape.Restore(inner);
        Assert.Equal(0, tape.LastPeakBytes); // the tape is not empty: nothing recorded

        tape.Restore(outer);
        Assert.Equal((5 * 8) + 4, tape.LastPeakBytes); // the nested call's pushes count, on top of the outer's
    });

    [Fact]
    public void LastPeakBytes_ReportsEachCallsOwnPeak_SmallerAfterLarger() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        Call(tape, 1_000);
        Assert.Equal(1_000 * 8, tape.LastPeakBytes);
        Call(tape, 10); // storage stays large, the peak is this call's
        Assert.Equal(10 * 8, tape.LastPeakBytes);
        Call(tape, 300_000); // 2.4 MB: trimmed afterwards, but the peak is recorded first
        Assert.Equal(300_000 * 8, tape.LastPeakBytes);
        Call(tape, 10);
        Assert.Equal(10 * 8, tape.LastPeakBytes);
        Assert.Equal(256, tape.Doubles.Capacity); // the trim still saw the 300,000 peak and then the 10 one
        Call(tape, 0); // a call that pushes nothing saved nothing
        Assert.Equal(0, tape.LastPeakBytes);

        static void Call(Tape tape, int pushes)
        {
            TapeMark mark = tape.Mark();
            try
            {
                for (int i = 0; i < pushes; i++)
                {
                    tape.Doubles.Push(i);
                }

                for (int i = 0; i < pushes / 2; i++)
                {
                    tape.Doubles.Pop();
                }
            }
            finally
            {
                tape.Restore(mark);
            }
        }
    });

    [Fact]
    public void LastPeakBytes_IsRecorded_WhenAnExceptionInterruptsTheSweep() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        Assert.Throws<DivideByZeroException>(() => EntryPointThatThrowsMidSweep(0));
        Assert.Equal((1_000 * 8) + 1_000 + 4, tape.LastPeakBytes);
    });

    [Fact]
    public void Pop_OnAnEmptyStack_Throws() => OnNewThread(() =>
    {
        Tape tape = Tape.Current;
        var error = Assert.Throws<InvalidOperationException>(() => tape.Doubles.Pop());
        Assert.Contains("popped more values than its forward sweep pushed", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => tape.Bools.Peek());

        tape.Singles.Push(1);
        Assert.Equal(1f, tape.Singles.Pop());
        Assert.Throws<InvalidOperationException>(() => tape.Singles.Pop());
        Assert.Equal(0, tape.Singles.Count);

        tape.Ints.PushRange([1, 2]);
        error = Assert.Throws<InvalidOperationException>(() => tape.Ints.PopRange(new int[3]));
        Assert.Contains("popped more values than its forward sweep pushed", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, tape.Ints.Count);
    });

    private static void AssertLastInFirstOut<T>(TapeStack<T> stack, T[] values)
        where T : unmanaged
    {
        int start = stack.Count;
        foreach (T value in values)
        {
            stack.Push(value);
        }

        Assert.Equal(start + values.Length, stack.Count);
        for (int i = values.Length - 1; i >= 0; i--)
        {
            Assert.Equal(values[i], stack.Pop());
        }

        Assert.Equal(start, stack.Count);
    }

    // What a generated entry point does; divides by zero in its reverse sweep when divisor is 0.
    private static int EntryPointThatThrowsMidSweep(int divisor)
    {
        Tape tape = Tape.Current;
        TapeMark mark = tape.Mark();
        try
        {
            for (int i = 0; i < 1_000; i++)
            {
                tape.Doubles.Push(i);
                tape.Bools.Push(true);
            }

            tape.Ints.Push(1_000);
            int trips = tape.Ints.Pop();
            tape.Doubles.Pop();
            return trips / divisor;
        }
        finally
        {
            tape.Restore(mark);
        }
    }

    // A fresh thread has a fresh tape: nothing left over by other tests on a reused thread.
    private static void OnNewThread(Action body)
    {
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        error?.Throw();
    }
}
