using ParamikoJump.SshNet;

namespace ParamikoJump.Tests.SshNet;

/// <summary>Which received bytes of an SFTP channel count as parsed (and so re-open the window).</summary>
public class SftpFramesTests
{
    private const long Window = 8 * 1024 * 1024;
    private const long Unreported = Window / 8;

    [Fact]
    public void Whole_packets_are_parsed_as_they_arrive()
    {
        var frames = new SftpFrames(Window, Unreported);
        var data = Packet(10).Concat(Packet(0)).Concat(Packet(300)).ToArray();

        Assert.Equal(data.Length, frames.Take(data));
    }

    [Fact]
    public void A_packet_counts_only_once_its_last_byte_arrives_whatever_the_split()
    {
        var frames = new SftpFrames(Window, Unreported);
        var packet = Packet(1000);

        Assert.Equal(0, frames.Take(packet.AsSpan(0, 2)));     // half the length
        Assert.Equal(0, frames.Take(packet.AsSpan(2, 500)));   // the rest of the length and part of the body
        Assert.Equal(packet.Length, frames.Take(packet.AsSpan(502)));
    }

    [Fact]
    public void A_packet_within_the_window_that_never_ends_is_held_whole()
    {
        var frames = new SftpFrames(Window, Unreported);
        var announced = new byte[] { 0, 0x40, 0, 0 }; // 4 MiB: larger than an SFTP message, but it fits in the window
        var chunk = new byte[32 * 1024];

        Assert.Equal(0, frames.Take(announced));
        for (var sent = 0L; sent + chunk.Length < 4 * 1024 * 1024; sent += chunk.Length)
        {
            Assert.Equal(0, frames.Take(chunk));
        }

        Assert.Equal(0, frames.Unfinishable);
    }

    [Fact]
    public void A_message_too_large_for_a_small_window_but_within_SFTPs_limit_counts_as_it_arrives()
    {
        const long small = 128 * 1024;
        var frames = new SftpFrames(small, small / 8);
        var packet = Packet(200 * 1024);

        Assert.Equal(4 + 1000, frames.Take(packet.AsSpan(0, 4 + 1000)));
        Assert.Equal(packet.Length - 1004, frames.Take(packet.AsSpan(1004)));
        Assert.Equal(0, frames.Take(Packet(64 * 1024).AsSpan(0, 100))); // the next one, within the window, is held again
    }

    [Fact]
    public void A_packet_larger_than_the_window_and_than_any_SFTP_message_is_unfinishable_as_soon_as_its_length_is_known()
    {
        const long small = 128 * 1024;
        var frames = new SftpFrames(small, small / 8);
        var whole = Packet(10);
        var announced = new byte[] { 0, 0x04, 0, 1 }; // 256 KiB + 1: one byte more than an SFTP message may be

        Assert.Equal(whole.Length, frames.Take(whole.Concat(announced.Take(3)).ToArray()));
        Assert.Equal(0, frames.Unfinishable);
        Assert.Equal(0, frames.Take(announced.AsSpan(3)));
        Assert.Equal(256 * 1024 + 1, frames.Unfinishable);
    }

    [Fact]
    public void A_packet_larger_than_any_SFTP_message_that_fits_in_the_window_is_held_and_parsed_whole()
    {
        var frames = new SftpFrames(Window, Unreported);
        var packet = Packet(1024 * 1024);

        Assert.Equal(0, frames.Take(packet.AsSpan(0, 1000)));
        Assert.Equal(packet.Length, frames.Take(packet.AsSpan(1000)));
        Assert.Equal(0, frames.Unfinishable);
    }

    /// <summary>An SFTP packet: the 4-byte length, then <paramref name="length"/> bytes.</summary>
    private static byte[] Packet(int length)
    {
        var packet = new byte[4 + length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(packet, length);
        return packet;
    }
}
