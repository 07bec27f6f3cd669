using Microsoft.Extensions.Logging;

namespace ParamikoJump.Tests;

/// <summary>Keeps every formatted log line, to check what is logged and that secrets are not.</summary>
public sealed class ListLogger : ILogger, ILoggerFactory
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];

    /// <summary>Each line as "Level: message | exception message".</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_entries)
            {
                return _entries.Select(e => $"{e.Level}: {e.Message}").ToArray();
            }
        }
    }

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    public string All => string.Join('\n', Lines);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception) + (exception is null ? "" : " | " + exception.Message)));
        }
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
