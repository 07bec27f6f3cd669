using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OtpNet;

namespace ParamikoJump.Authentication;

/// <summary>The HMAC a <see cref="TotpSource"/> computes codes with (RFC 6238).</summary>
public enum TotpAlgorithm
{
    /// <summary>HMAC-SHA1, what Google Authenticator, pam_google_authenticator and most servers use.</summary>
    Sha1,

    /// <summary>HMAC-SHA256.</summary>
    Sha256,

    /// <summary>HMAC-SHA512.</summary>
    Sha512,
}

/// <summary>
/// Time-based one-time passwords (RFC 6238) from a base32 secret, computed when a prompt asks for one, so one
/// source serves any number of logins. Give it to a <see cref="PromptHandler"/> rule
/// (<c>.On("Verification code", totp)</c>).
/// </summary>
/// <remarks>
/// <para>
/// Servers such as pam_google_authenticator with <c>DISALLOW_REUSE</c> refuse a second code from a time step that
/// was already used. With <see cref="ReuseProtection"/> on (the default) a source never gives out a code of a step
/// it, or another source with the same secret in this process, gave out before: it waits for the next step instead
/// (at most one period, and never past the login's budget). A code the server refused (reported by
/// <see cref="ReportRefused"/>, and automatically when a <see cref="PromptHandler"/> login that sent it fails) marks
/// its step used whatever <see cref="ReuseProtection"/> says.
/// </para>
/// <para>The secret never appears in <see cref="ToString"/>, logs or errors. Thread-safe.</para>
/// </remarks>
/// <example>
/// <code>
/// var totp = new TotpSource("JBSWY3DPEHPK3PXP");                              // SHA-1, 6 digits, 30 s
/// var handler = new PromptHandler().On("^Password:", password).On("Verification code", totp);
/// </code>
/// </example>
public sealed class TotpSource
{
    private static readonly ConcurrentDictionary<string, StepLedger> Ledgers = new(StringComparer.Ordinal);

    private readonly Totp _totp;
    private readonly StepLedger _ledger;
    private readonly TimeProvider _clock;

    /// <summary>Creates a source.</summary>
    /// <param name="base32Secret">The shared secret in base32 (RFC 4648), as authenticator apps show it; case, spaces and padding do not matter.</param>
    /// <param name="algorithm">The HMAC; SHA-1 by default.</param>
    /// <param name="digits">Digits per code, 6 to 8; 6 by default.</param>
    /// <param name="period">The time step; 30 s by default, whole seconds of at least 1.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">The secret is empty or not base32, or an argument is out of range.</exception>
    public TotpSource(string base32Secret, TotpAlgorithm algorithm = TotpAlgorithm.Sha1, int digits = 6, TimeSpan? period = null, TimeProvider? timeProvider = null)
    {
        if (string.IsNullOrWhiteSpace(base32Secret))
        {
            throw new ArgumentException("A TOTP source needs a base32 secret.", nameof(base32Secret));
        }

        if (digits is < 6 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(digits), digits, "TOTP codes have 6 to 8 digits.");
        }

        var step = period ?? TimeSpan.FromSeconds(30);
        if (step < TimeSpan.FromSeconds(1) || step.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(period), step, "The TOTP period is a whole number of seconds, at least 1.");
        }

        var secret = DecodeSecret(base32Secret);
        Algorithm = algorithm;
        Digits = digits;
        Period = step;
        _clock = timeProvider ?? TimeProvider.System;
        var mode = algorithm switch
        {
            TotpAlgorithm.Sha256 => OtpHashMode.Sha256,
            TotpAlgorithm.Sha512 => OtpHashMode.Sha512,
            _ => OtpHashMode.Sha1,
        };
        _totp = new Totp(secret, (int)step.TotalSeconds, mode, digits);
        _ledger = Ledgers.GetOrAdd(LedgerKey(secret, algorithm, digits, step), _ => new StepLedger());
    }

    /// <summary>The HMAC the codes are computed with.</summary>
    public TotpAlgorithm Algorithm { get; }

    /// <summary>Digits per code.</summary>
    public int Digits { get; }

    /// <summary>The time step.</summary>
    public TimeSpan Period { get; }

    /// <summary>
    /// Whether to give out each time step's code at most once (in this process, across every source with the same
    /// secret), waiting for the next step when the current one was used: what servers that refuse reused codes need.
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool ReuseProtection { get; set; } = true;

    /// <summary>The code for the time step that holds <paramref name="at"/> (RFC 6238); gives nothing out.</summary>
    /// <param name="at">The time.</param>
    /// <returns>The code, <see cref="Digits"/> digits with leading zeros.</returns>
    public string ComputeCode(DateTimeOffset at) => CodeOfStep(TimeStep(at));

    /// <summary>The RFC 6238 time step number that holds <paramref name="at"/>.</summary>
    /// <param name="at">The time.</param>
    /// <returns>Seconds since the Unix epoch divided by the period.</returns>
    public long TimeStep(DateTimeOffset at)
    {
        var ticks = (at - DateTimeOffset.FromUnixTimeSeconds(0)).Ticks;
        var step = ticks / Period.Ticks;
        return ticks < 0 && ticks % Period.Ticks != 0 ? step - 1 : step;
    }

    /// <summary>
    /// The code to send now: the current step's, or, when that step was already given out (with
    /// <see cref="ReuseProtection"/>) or refused, the next step's once it begins.
    /// </summary>
    /// <param name="cancellationToken">Ends a wait for the next step (a handler passes the login's budget).</param>
    /// <returns>The code.</returns>
    public async Task<string> NextCodeAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var now = _clock.GetUtcNow();
            var step = TimeStep(now);
            if (_ledger.TryTake(step, ReuseProtection))
            {
                return CodeOfStep(step);
            }

            var nextStart = DateTimeOffset.FromUnixTimeSeconds(0) + TimeSpan.FromTicks(Period.Ticks * (step + 1));
            var wait = nextStart - now;
            await Hops.Clock.Delay(_clock, wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The code to send now, waiting for the next step if needed; see <see cref="NextCodeAsync"/>.</summary>
    /// <returns>The code.</returns>
    public string NextCode() => NextCodeAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Tells the source a server refused <paramref name="code"/> (e.g. as reused): the step it belongs to (looked
    /// for two steps around now) counts as used, so the next code comes from a later step.
    /// </summary>
    /// <param name="code">The code that was refused.</param>
    public void ReportRefused(string code)
    {
        if (code is null)
        {
            throw new ArgumentNullException(nameof(code));
        }

        var now = _clock.GetUtcNow();
        var current = TimeStep(now);
        var refused = Enumerable.Range(-2, 5).Select(offset => current + offset)
            .Where(step => string.Equals(CodeOfStep(step), code, StringComparison.Ordinal))
            .DefaultIfEmpty(current)
            .Max();
        _ledger.MarkRefused(refused);
    }

    /// <summary>Describes the source without its secret.</summary>
    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "TotpSource ({0}, {1} digits, {2} s)", Algorithm.ToString().ToUpperInvariant(), Digits, Period.TotalSeconds);

    /// <summary>
    /// The code of one step. The library is asked for the middle of the step, so the step is ours to decide: near a
    /// boundary its own reading of a timestamp can fall on the other side (seen: a code of the step before).
    /// </summary>
    private string CodeOfStep(long step) =>
        _totp.ComputeTotp((DateTimeOffset.FromUnixTimeSeconds(0) + TimeSpan.FromTicks((Period.Ticks * step) + (Period.Ticks / 2))).UtcDateTime);

    private static byte[] DecodeSecret(string base32Secret)
    {
        var cleaned = new string(base32Secret.Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray()).TrimEnd('=').ToUpperInvariant();
        if (cleaned.Length == 0 || cleaned.Any(c => c is not ((>= 'A' and <= 'Z') or (>= '2' and <= '7'))))
        {
            throw new ArgumentException("The TOTP secret is not base32 (letters A-Z and digits 2-7).", nameof(base32Secret));
        }

        return Base32Encoding.ToBytes(cleaned);
    }

    private static string LedgerKey(byte[] secret, TotpAlgorithm algorithm, int digits, TimeSpan period)
    {
        var material = secret.Concat(Encoding.UTF8.GetBytes($"|{algorithm}|{digits}|{period.Ticks}")).ToArray();
#if NET8_0_OR_GREATER
        return Convert.ToBase64String(SHA256.HashData(material));
#else
        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(material));
#endif
    }

    /// <summary>The steps given out or refused, per secret: only the latest matters, since codes only move forward.</summary>
    private sealed class StepLedger
    {
        private readonly object _gate = new();
        private long _lastUsed = long.MinValue;
        private long _lastRefused = long.MinValue;

        public bool TryTake(long step, bool protect)
        {
            lock (_gate)
            {
                if (step <= _lastRefused || (protect && step <= _lastUsed))
                {
                    return false;
                }

                _lastUsed = Math.Max(_lastUsed, step);
                return true;
            }
        }

        public void MarkRefused(long step)
        {
            lock (_gate)
            {
                _lastRefused = Math.Max(_lastRefused, step);
                _lastUsed = Math.Max(_lastUsed, step);
            }
        }
    }
}
