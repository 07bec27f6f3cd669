using System;
using System.IO;
using System.Text;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// The Win32 side of Pageant's window-message protocol: a seam, so the protocol (<see cref="PageantWindow"/>) is tested
/// on any system with a stand-in and the Windows calls (<see cref="Win32PageantWindowMessaging"/>) stay in one place.
/// </summary>
internal interface IPageantWindowMessaging
{
    /// <summary>A number unique among the process's threads now, for the shared memory's name.</summary>
    uint CurrentThreadId { get; }

    /// <summary>Pageant's window (class and title <c>Pageant</c>), or <see cref="IntPtr.Zero"/> when none exists.</summary>
    IntPtr FindPageantWindow();

    /// <summary>Named shared memory of <paramref name="capacity"/> bytes that Pageant can open by its name.</summary>
    /// <exception cref="IOException">It cannot be created.</exception>
    IPageantSharedMemory CreateSharedMemory(string name, int capacity);

    /// <summary>Sends <c>WM_COPYDATA</c> carrying <paramref name="dataId"/> and <paramref name="payload"/> and waits for the window's answer.</summary>
    /// <returns>The window's result, or null when it did not answer within <paramref name="timeout"/>.</returns>
    long? SendCopyData(IntPtr window, uint dataId, byte[] payload, TimeSpan timeout);
}

/// <summary>Shared memory for one exchange with Pageant.</summary>
internal interface IPageantSharedMemory : IDisposable
{
    void Write(int offset, byte[] data);

    byte[] Read(int offset, int count);
}

/// <summary>Why an exchange with Pageant's window failed.</summary>
internal enum PageantWindowFailure
{
    /// <summary>The request does not fit the shared memory (<see cref="PageantWindow.MaxMessageLength"/>).</summary>
    RequestTooLarge,

    /// <summary>No window of class and title <c>Pageant</c>: Pageant is not running in this session.</summary>
    NoWindow,

    /// <summary>The shared memory could not be created.</summary>
    SharedMemory,

    /// <summary>Pageant answered 0 (it refused: memory it cannot open or whose owner is not its user, a wrong id) or not in time.</summary>
    NoAnswer,

    /// <summary>The answer's length field is 0 or runs past the shared memory.</summary>
    BadReplyLength,
}

/// <summary>An exchange with Pageant's window failed; an <see cref="IOException"/>, as a broken agent connection is.</summary>
internal sealed class PageantWindowException(PageantWindowFailure failure, string message, Exception? inner = null) : IOException(message, inner)
{
    public PageantWindowFailure Failure { get; } = failure;
}

/// <summary>
/// Pageant's original protocol, which every Pageant answers (the named pipe came in 0.75): the client writes the framed
/// request (length, type, body) at the start of named shared memory of <see cref="MaxMessageLength"/> bytes, sends
/// Pageant's window <c>WM_COPYDATA</c> whose id is <see cref="CopyDataId"/> and whose data is the memory's NUL-terminated
/// name (<c>PageantRequest</c> and the thread id in 8 hex digits), and on a positive result reads the framed answer from
/// the same memory. PuTTY's client treats a zero result or a length field that is 0 or runs past the memory as no
/// answer; here each is a <see cref="PageantWindowException"/> saying which. (Facts from PuTTY's
/// <c>windows/agent-client.c</c> and <c>pageant.h</c>, written from, not copied.)
/// </summary>
internal sealed class PageantWindow
{
    /// <summary>AGENT_COPYDATA_ID, the <c>dwData</c> Pageant expects.</summary>
    public const uint CopyDataId = 0x804e50ba;

    /// <summary>AGENT_MAX_MSGLEN of current PuTTY (pageant.h): the shared memory's size, a framed message's limit.</summary>
    public const int MaxMessageLength = 256 * 1024;

    /// <summary>
    /// What stands for Pageant's window where an agent's socket path goes (<see cref="AgentSocket.Connect"/>, log lines):
    /// no socket or pipe path looks like it.
    /// </summary>
    public const string Locator = "Pageant's window (WM_COPYDATA)";

    private readonly IPageantWindowMessaging _windows;
    private readonly TimeSpan _timeout;

    public PageantWindow(IPageantWindowMessaging windows, TimeSpan timeout)
    {
        _windows = windows;
        _timeout = timeout;
    }

    public bool Exists => _windows.FindPageantWindow() != IntPtr.Zero;

    /// <summary>The framed answer to a framed request.</summary>
    /// <exception cref="PageantWindowException">The request is too large, Pageant is not running, or it did not answer properly.</exception>
    public byte[] Exchange(byte[] framedRequest)
    {
        if (framedRequest.Length > MaxMessageLength)
        {
            throw new PageantWindowException(PageantWindowFailure.RequestTooLarge, $"an agent request of {framedRequest.Length} bytes does not fit Pageant's {MaxMessageLength}-byte shared memory");
        }

        var window = _windows.FindPageantWindow();
        if (window == IntPtr.Zero)
        {
            throw new PageantWindowException(PageantWindowFailure.NoWindow, "Pageant is not running (no window of class \"Pageant\")");
        }

        var name = "PageantRequest" + _windows.CurrentThreadId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        IPageantSharedMemory memory;
        try
        {
            memory = _windows.CreateSharedMemory(name, MaxMessageLength);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PageantWindowException(PageantWindowFailure.SharedMemory, $"the shared memory {name} for Pageant could not be created ({ex.Message})", ex);
        }

        using (memory)
        {
            memory.Write(0, framedRequest);
            var result = _windows.SendCopyData(window, CopyDataId, Encoding.ASCII.GetBytes(name + "\0"), _timeout);
            if (result is not > 0)
            {
                throw new PageantWindowException(
                    PageantWindowFailure.NoAnswer,
                    result is null
                        ? $"Pageant did not answer within {_timeout.TotalMilliseconds:0} ms"
                        : "Pageant refused the request (it answers only requests whose shared memory its own user owns)");
            }

            var header = memory.Read(0, 4);
            var offset = 0;
            var length = SshWire.ReadUInt32(header, ref offset);
            if (length is 0 or > MaxMessageLength - 4)
            {
                throw new PageantWindowException(PageantWindowFailure.BadReplyLength, $"Pageant's answer claims {length} bytes, outside 1 to {MaxMessageLength - 4}");
            }

            return memory.Read(0, 4 + (int)length);
        }
    }
}

/// <summary>A connection to Pageant's window: each request written is sent as one <see cref="PageantWindow.Exchange"/>.</summary>
internal sealed class PageantWindowAgent(PageantWindow window) : AgentRequestStream
{
    protected override byte[] Answer(byte[] request)
    {
        using var framed = new MemoryStream(request.Length + 4);
        SshWire.WriteString(framed, request);
        var answer = window.Exchange(framed.ToArray());
        var message = new byte[answer.Length - 4];
        Buffer.BlockCopy(answer, 4, message, 0, message.Length);
        return message;
    }
}
