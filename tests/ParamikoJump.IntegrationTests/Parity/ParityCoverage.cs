using System.Reflection;

namespace ParamikoJump.IntegrationTests.Parity;

/// <summary>Names the public members of an SSH.NET client that a parity test runs, with their failures.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ParityCoversAttribute(Type client, params string[] members) : Attribute
{
    public Type Client { get; } = client;

    public IReadOnlyList<string> Members { get; } = members;
}

/// <summary>
/// Every public operation of SSH.NET's <see cref="SftpClient"/> and <see cref="ScpClient"/> has a parity case: the list
/// is read from SSH.NET itself, so a member a new SSH.NET version adds fails here until a case runs it on both routes.
/// </summary>
public sealed class ParityCoverageTests
{
    /// <summary>Members that are not operations on a server (object's, the client's lifetime, covered by the connect cases).</summary>
    private static readonly HashSet<string> NotOperations = ["Dispose", "ToString", "Equals", "GetHashCode", "GetType"];

    public static TheoryData<Type> Clients => [typeof(SftpClient), typeof(ScpClient)];

    [Theory]
    [MemberData(nameof(Clients))]
    public void Every_public_operation_has_a_parity_case(Type client)
    {
        var covered = typeof(ParityCoverageTests).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .SelectMany(method => method.GetCustomAttributes<ParityCoversAttribute>())
            .Where(covers => covers.Client == client)
            .SelectMany(covers => covers.Members)
            .ToHashSet(StringComparer.Ordinal);

        var missing = PublicOperationsOf(client).Where(name => !covered.Contains(name)).Order(StringComparer.Ordinal).ToList();
        var unknown = covered.Where(name => !PublicOperationsOf(client).Contains(name)).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0, $"{client.Name} members with no parity case: {string.Join(", ", missing)}");
        Assert.True(unknown.Count == 0, $"parity cases name members {client.Name} does not have: {string.Join(", ", unknown)}");
    }

    /// <summary>The public methods, properties and events a user of <paramref name="client"/> can call, by name (overloads together).</summary>
    private static HashSet<string> PublicOperationsOf(Type client)
    {
        const BindingFlags Public = BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly;
        var methods = client.GetMethods(Public).Where(method => !method.IsSpecialName).Select(method => method.Name);
        var properties = client.GetProperties(Public).Select(property => property.Name);
        var events = client.GetEvents(Public).Select(e => e.Name);
        return methods.Concat(properties).Concat(events).Where(name => !NotOperations.Contains(name)).ToHashSet(StringComparer.Ordinal);
    }
}
