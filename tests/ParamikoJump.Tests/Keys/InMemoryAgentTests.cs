using System.Buffers.Binary;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys.Agent;
using Renci.SshNet;

namespace ParamikoJump.Tests.Keys;

/// <summary>The agent that answers a forwarded channel from the application's own keys, spoken to byte by byte.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InMemoryAgentTests(AgentTests.Keys keys) : IClassFixture<AgentTests.Keys>
{
    [Fact]
    public async Task Lists_each_key_once_and_signs_rsa_with_the_algorithm_the_flags_ask_for()
    {
        using var agent = new InMemoryAgent([new PrivateKeyFile(keys.Rsa), new PrivateKeyFile(keys.Ed25519)]);

        var list = await Exchange(agent, [11]);
        var offset = 1;
        var count = ReadUInt32(list, ref offset);
        var rsaBlob = ReadString(list, ref offset);
        Assert.Equal((12, 2u), (list[0], count));

        var sha512 = await Exchange(agent, SignRequest(rsaBlob, 4));
        var sha1 = await Exchange(agent, SignRequest(rsaBlob, 0));
        Assert.Equal(14, sha512[0]);
        var at = 1;
        Assert.Equal("rsa-sha2-512", SshKeyBlob.TypeOf(ReadString(sha512, ref at)));
        at = 1;
        Assert.Equal("ssh-rsa", SshKeyBlob.TypeOf(ReadString(sha1, ref at)));
    }

    [Fact]
    public async Task A_request_split_over_writes_is_answered_once_whole_and_anything_else_gets_failure()
    {
        using var agent = new InMemoryAgent([new PrivateKeyFile(keys.Ed25519)]);
        var framed = Framed([11]);

        agent.Write(framed, 0, 2);
        agent.Write(framed, 2, framed.Length - 2);
        var identities = await ReadAnswer(agent);
        var unknownKey = await Exchange(agent, SignRequest([0, 0, 0, 1, 0], 0));
        var removeAll = await Exchange(agent, [19]);
        var truncated = await Exchange(agent, [13, 0, 0]);

        Assert.Equal(12, identities[0]);
        Assert.Equal([5], unknownKey);
        Assert.Equal([5], removeAll);
        Assert.Equal([5], truncated);
    }

    [Fact]
    public async Task Disposing_ends_a_waiting_read()
    {
        var agent = new InMemoryAgent([]);
        var read = agent.ReadAsync(new byte[16], 0, 16, TestContext.Current.CancellationToken);

        agent.Dispose();

        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    private static byte[] SignRequest(byte[] blob, uint flags) =>
        [13, .. String(blob), .. String("data to sign"u8.ToArray()), .. UInt32(flags)];

    private static async Task<byte[]> Exchange(InMemoryAgent agent, byte[] request)
    {
        var framed = Framed(request);
        agent.Write(framed, 0, framed.Length);
        return await ReadAnswer(agent);
    }

    private static async Task<byte[]> ReadAnswer(InMemoryAgent agent)
    {
        var header = await ReadExactly(agent, 4);
        return await ReadExactly(agent, (int)BinaryPrimitives.ReadUInt32BigEndian(header));
    }

    private static async Task<byte[]> ReadExactly(InMemoryAgent agent, int length)
    {
        var buffer = new byte[length];
        for (var read = 0; read < length;)
        {
            var n = await agent.ReadAsync(buffer.AsMemory(read), TestContext.Current.CancellationToken);
            Assert.NotEqual(0, n);
            read += n;
        }

        return buffer;
    }

    private static byte[] Framed(byte[] message) => [.. UInt32((uint)message.Length), .. message];

    private static byte[] String(byte[] value) => [.. UInt32((uint)value.Length), .. value];

    private static byte[] UInt32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static uint ReadUInt32(byte[] buffer, ref int offset)
    {
        var value = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(offset));
        offset += 4;
        return value;
    }

    private static byte[] ReadString(byte[] buffer, ref int offset)
    {
        var length = (int)ReadUInt32(buffer, ref offset);
        var value = buffer.AsSpan(offset, length).ToArray();
        offset += length;
        return value;
    }
}
