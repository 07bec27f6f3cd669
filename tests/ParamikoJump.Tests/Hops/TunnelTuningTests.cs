using ParamikoJump.Hops;
using Renci.SshNet;

namespace ParamikoJump.Tests.Hops;

public class TunnelTuningTests
{
    [Fact]
    public void Hops_built_from_arguments_offer_aes_gcm_first()
    {
        using var client = new SshJumpClient(hostname: "bastion.example", username: "ops", password: "pw", lookForKeys: false, allowAgent: false);

        Assert.Equal(["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"], client.ConnectionInfo.Encryptions.Keys.Take(2));
        Assert.Contains("aes128-ctr", client.ConnectionInfo.Encryptions.Keys);
    }

    [Fact]
    public void A_given_connection_info_keeps_its_cipher_order()
    {
        var info = new ConnectionInfo("bastion.example", "ops", new PasswordAuthenticationMethod("ops", "pw"));
        var order = info.Encryptions.Keys.ToArray();

        using var client = new SshJumpClient(info);

        Assert.Equal(order, client.ConnectionInfo.Encryptions.Keys);
    }

    [Fact]
    public void Sessions_bound_their_channel_window_except_an_sftp_clients_own()
    {
        using var ssh = new SshClient("bastion.example", "ops", "pw");
        using var sftp = new SftpClient("bastion.example", "ops", "pw");

        Assert.Equal(8u << 20, Tuning.ChannelWindowOf(ssh));
        Assert.Null(Tuning.ChannelWindowOf(sftp));
    }
}
