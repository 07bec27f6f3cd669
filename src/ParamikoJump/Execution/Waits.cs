using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Execution;

/// <summary>Awaiting a task with a token that stops the wait, not the task.</summary>
internal static class Waits
{
    public static async Task For(Task task, CancellationToken cancellationToken)
    {
#if NET8_0_OR_GREATER
        await task.WaitAsync(cancellationToken).ConfigureAwait(false);
#else
        if (cancellationToken.CanBeCanceled && !task.IsCompleted)
        {
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), cancelled))
            {
                await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        await task.ConfigureAwait(false);
#endif
    }
}
