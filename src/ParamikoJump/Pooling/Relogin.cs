using System.Linq;
using ParamikoJump.Authentication;

namespace ParamikoJump.Pooling;

/// <summary>What a jump's login may use when it reconnects without a person at hand.</summary>
internal static class Relogin
{
    /// <summary>
    /// The handler without its parts that ask a person (<see cref="SimpleAuthHandler"/>, also inside a
    /// <see cref="CompositeAuthHandler"/>): the handler itself when it has none, <see langword="null"/> when nothing is left.
    /// </summary>
    public static IKeyboardInteractiveHandler? WithoutPerson(IKeyboardInteractiveHandler? handler)
    {
        switch (handler)
        {
            case SimpleAuthHandler:
                return null;
            case CompositeAuthHandler composite:
                var rest = composite.Handlers.Select(WithoutPerson).Where(h => h is not null).Select(h => h!).ToArray();
                if (rest.Length == composite.Handlers.Count && rest.Zip(composite.Handlers, (a, b) => ReferenceEquals(a, b)).All(same => same))
                {
                    return composite;
                }

                return rest.Length switch
                {
                    0 => null,
                    1 => rest[0],
                    _ => new CompositeAuthHandler(rest),
                };
            default:
                return handler;
        }
    }
}
