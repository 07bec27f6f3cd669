using System;
using System.Collections;
using System.Collections.Generic;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Logging;

/// <summary>
/// Finds the logger factory SSH.NET itself uses, so one call to
/// <see cref="SshNetLoggingConfiguration.InitializeLogging"/> turns on ParamikoJump's log lines too.
/// SSH.NET keeps the getter internal; a unit test pins this to the version we ship with.
/// </summary>
/// <remarks>
/// Every logger handed out here, to ParamikoJump and to the sessions SSH.NET creates for a hop (through
/// <see cref="Hops.SessionCreationGate"/>), escapes what it passes on: SSH.NET logs the server's version string and
/// disconnect reason as the server sent them, before the host key is even checked.
/// </remarks>
internal static class SshNetLogging
{
    private static readonly PropertyInfo? GlobalFactory = SshNetSeams.GlobalLoggerFactory.Members;

    public static ILoggerFactory Global => GlobalFactory?.GetValue(null) as ILoggerFactory ?? NullLoggerFactory.Instance;

    /// <summary>ParamikoJump's own logger; its lines may span lines (a login banner), never with a raw control character.</summary>
    public static ILogger CreateLogger(ILoggerFactory? perConnection) => Escaping((perConnection ?? Global).CreateLogger("ParamikoJump"), allowLineBreaks: true);

    /// <summary>
    /// A logger that hands <paramref name="inner"/> every message, value and exception escaped (<see cref="ServerText"/>);
    /// without <paramref name="allowLineBreaks"/> a message stays one line, so a server cannot forge the next one.
    /// </summary>
    public static ILogger Escaping(ILogger inner, bool allowLineBreaks) => inner as EscapingLogger ?? new EscapingLogger(inner, allowLineBreaks);

    /// <summary>Makes the sessions SSH.NET creates on <paramref name="info"/> log through <see cref="Escaping"/> loggers.</summary>
    public static void EscapeSessionLogs(ConnectionInfo info)
    {
        if (info.LoggerFactory is not EscapingFactory)
        {
            info.LoggerFactory = new EscapingFactory(info.LoggerFactory);
        }
    }

    private sealed class EscapingFactory(ILoggerFactory? inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => Escaping((inner ?? Global).CreateLogger(categoryName), allowLineBreaks: false);

        public void AddProvider(ILoggerProvider provider) => (inner ?? Global).AddProvider(provider);

        public void Dispose()
        {
            // Not ours: the user's factory, or SSH.NET's global one.
        }
    }

    private sealed class EscapingLogger(ILogger inner, bool allowLineBreaks) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var escaped = new EscapedState(state, ServerText.EscapeWhole(formatter(state, exception), allowLineBreaks), allowLineBreaks);
            inner.Log(logLevel, eventId, escaped, exception is null ? null : EscapedException.Of(exception), static (s, _) => s.Message);
        }
    }

    /// <summary>The state's named values with every text escaped, for loggers that write values rather than the message.</summary>
    private sealed class EscapedState : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly List<KeyValuePair<string, object?>> _values = [];

        public EscapedState(object? state, string message, bool allowLineBreaks)
        {
            Message = message;
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var pair in values)
                {
                    _values.Add(pair.Key == "{OriginalFormat}" ? pair : new(pair.Key, EscapeValue(pair.Value, allowLineBreaks)));
                }
            }
        }

        public string Message { get; }

        public int Count => _values.Count;

        public KeyValuePair<string, object?> this[int index] => _values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;

        private static object? EscapeValue(object? value, bool allowLineBreaks) => value switch
        {
            null => null,
            string text => ServerText.EscapeWhole(text, allowLineBreaks),
            IConvertible => value,
            _ => ServerText.EscapeWhole(value.ToString(), allowLineBreaks),
        };
    }

    /// <summary>
    /// Stands in for an exception whose text (or a cause's) would carry raw server text: same message and chain,
    /// escaped, with the original stack trace. Exceptions with nothing to escape are passed on as they are.
    /// </summary>
    private sealed class EscapedException : Exception
    {
        private readonly string _text;
        private readonly string? _stackTrace;

        private EscapedException(Exception original)
            : base(ServerText.EscapeWhole(original.Message, allowLineBreaks: false))
        {
            _text = ServerText.EscapeWhole(original.ToString());
            _stackTrace = original.StackTrace;
            HResult = original.HResult;
            Source = original.Source;
        }

        public override string? StackTrace => _stackTrace;

        public static Exception Of(Exception exception)
        {
            for (var cause = exception; cause is not null; cause = cause.InnerException)
            {
                if (NeedsEscaping(cause.Message, allowLineBreaks: false))
                {
                    return new EscapedException(exception);
                }
            }

            return NeedsEscaping(exception.ToString(), allowLineBreaks: true) ? new EscapedException(exception) : exception;
        }

        public override string ToString() => _text;

        private static bool NeedsEscaping(string text, bool allowLineBreaks) => !string.Equals(ServerText.EscapeWhole(text, allowLineBreaks), text, StringComparison.Ordinal);
    }
}
