using System.Globalization;
using ParamikoJump.Lab;

namespace ParamikoJump.Worker;

/// <summary>The lab's MFA bastion and the targets behind it, as configuration keys (replacing appsettings.json's example hosts).</summary>
internal static class LabHosts
{
    public static Dictionary<string, string?> Configuration(LabDescription lab)
    {
        var bastion = lab["bastion"];
        var mfa = bastion.Credentials("pjmfa-fast");
        var values = new Dictionary<string, string?>
        {
            ["ParamikoJump:KnownHostsFile"] = lab.KnownHosts,
            ["ParamikoJump:Hosts:bastion:Host"] = bastion.Host,
            ["ParamikoJump:Hosts:bastion:Port"] = bastion.Port.ToString(CultureInfo.InvariantCulture),
            ["ParamikoJump:Hosts:bastion:User"] = "pjmfa-fast",
            ["ParamikoJump:Hosts:bastion:TotpPeriod"] = TimeSpan.FromSeconds(mfa.TotpPeriod).ToString("c", CultureInfo.InvariantCulture),
            ["Secrets:BastionPassword"] = mfa.Password,
            ["Secrets:BastionTotp"] = mfa.TotpSecret,
        };

        // appsettings.json's db01 becomes the lab's password target; web01 its key-only target.
        var password = lab["target-password"];
        values["ParamikoJump:Hosts:db01:Host"] = password.Host;
        values["ParamikoJump:Hosts:db01:Port"] = password.Port.ToString(CultureInfo.InvariantCulture);
        values["ParamikoJump:Hosts:db01:User"] = password.User;
        values["Secrets:Db01Password"] = password.Credentials().Password;
        var key = lab["target-key"];
        values["ParamikoJump:Hosts:web01:Host"] = key.Host;
        values["ParamikoJump:Hosts:web01:Port"] = key.Port.ToString(CultureInfo.InvariantCulture);
        values["ParamikoJump:Hosts:web01:User"] = key.User;
        values["ParamikoJump:Hosts:web01:Via"] = "bastion";
        values["ParamikoJump:Hosts:web01:KeyFiles:0"] = lab.KeyFile("rsa");
        return values;
    }
}
