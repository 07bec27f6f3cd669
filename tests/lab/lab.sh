#!/usr/bin/env bash
# The ParamikoJump lab: real OpenSSH servers with real PAM MFA, each in a network namespace that only the hop
# before it can reach. Run as root: lab.sh start | stop | status | restart.
#
# Layout (10.231.0.0/16, routed `unreachable` in the root namespace so nothing meant for the lab leaves the machine):
#   root 10.231.1.254 -- 10.231.1.1 pjlab-bastion 10.231.2.1 -- 10.231.2.2 pjlab-targets   (targets.pjlab)
#   root 10.231.11.254 -- 10.231.11.1 pjlab-hop1 -- 10.231.12.2 pjlab-hop2 -- ... -- 10.231.15.2 pjlab-hop5
#   root 10.231.21.254 -- 10.231.21.1 pjlab-dbastion 10.231.22.1 -- 10.231.22.2 pjlab-dtargets   (dropbear; dtarget.pjlab)
#   pjlab-bastion 10.231.3.1 -- 10.231.3.2 pjlab-devices   (an old network device: switch01.pjlab)
# Namespaces do not forward packets, so each one is reachable only through an sshd of the one before it.
# `start` writes $PJLAB_DIR/lab.json (default /run/paramikojump-lab) last: tests, samples and benchmarks read it.
set -Eeuo pipefail

STATE=${PJLAB_DIR:-/run/paramikojump-lab}
RANGE=10.231.0.0/16
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NAMESPACES=(pjlab-bastion pjlab-targets pjlab-hop1 pjlab-hop2 pjlab-hop3 pjlab-hop4 pjlab-hop5 pjlab-dbastion pjlab-dtargets pjlab-devices)
USERS=(pjmfa pjmfa-noreuse pjkey pjduo pjjump pjtarget pjhop pjdrop pjmfa-fast pjnet)
# The parity servers' users (parity_server): one per AuthenticationMethods combination sshd allows.
declare -A PARITY_METHODS=(
    [pjpar-any]="any"
    [pjpar-pw]="password"
    [pjpar-pk]="publickey"
    [pjpar-kbd]="keyboard-interactive"
    [pjpar-pkpw]="publickey,password"
    [pjpar-pwpk]="password,publickey"
    [pjpar-pkkbd]="publickey,keyboard-interactive"
    [pjpar-pwkbd]="password,keyboard-interactive"
    [pjpar-pwpwpk]="password,publickey password,password"
    [pjpar-pkpk]="publickey,publickey"
    [pjpar-off]="password"
)
PARITY_USERS=(pjpar-any pjpar-pw pjpar-pk pjpar-kbd pjpar-pkpw pjpar-pwpk pjpar-pkkbd pjpar-pwkbd pjpar-pwpwpk pjpar-pkpk pjpar-off)
USERS+=("${PARITY_USERS[@]}")
PAM_SERVICES=(sshd-pjlab sshd-pjlab-mfa sshd-pjlab-keymfa sshd-pjlab-duo sshd-pjlab-parity)
DUO_DELAY=3
FAST_TOTP_STEP=3

log() { printf 'lab: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

require_root_and_namespaces() {
    [[ $(id -u) -eq 0 ]] || die "must run as root (it creates network namespaces, users and PAM services)"
    ip netns list >/dev/null 2>&1 || die "network namespaces are not available here (ip netns list failed)"
}

install_packages() {
    local missing=()
    [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
    command -v ssh-keygen >/dev/null || missing+=(openssh-client)
    [[ -e /usr/lib/x86_64-linux-gnu/security/pam_google_authenticator.so || -e /lib/x86_64-linux-gnu/security/pam_google_authenticator.so ]] \
        || missing+=(libpam-google-authenticator)
    [[ -e /usr/include/security/pam_modules.h ]] || missing+=(libpam0g-dev)
    command -v gcc >/dev/null || missing+=(gcc libc6-dev)
    command -v ip >/dev/null || missing+=(iproute2)
    command -v sshpass >/dev/null || missing+=(sshpass)
    /usr/bin/python3 -c 'import paramiko' 2>/dev/null || missing+=(python3-paramiko)
    [[ -x /usr/sbin/dropbear ]] && command -v dropbearconvert >/dev/null || missing+=(dropbear-bin)
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # policy-rc.d keeps Debian from starting the system sshd on port 22 as a side effect of the install.
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        rm -f /usr/sbin/policy-rc.d
    fi
}

random_password() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20; }
random_totp_secret() { head -c 10 /dev/urandom | base32; }
random_passcode() { printf '%06d' $(( (RANDOM << 15 | RANDOM) % 1000000 )); }

# ---------------------------------------------------------------------------------------------------- network
in_ns() { local ns=$1; shift; if [[ -z $ns ]]; then "$@"; else ip netns exec "$ns" "$@"; fi; }

# link NS_A IF_A ADDR_A NS_B IF_B ADDR_B: a veth pair between two namespaces ("" is the root namespace).
link() {
    local ns_a=$1 if_a=$2 addr_a=$3 ns_b=$4 if_b=$5 addr_b=$6 tmp=pjl$RANDOM
    ip link add "${tmp}a" type veth peer name "${tmp}b"
    place "${tmp}a" "$ns_a" "$if_a" "$addr_a"
    place "${tmp}b" "$ns_b" "$if_b" "$addr_b"
}

place() {
    local dev=$1 ns=$2 name=$3 addr=$4
    if [[ -n $ns ]]; then ip link set "$dev" netns "$ns"; fi
    in_ns "$ns" ip link set "$dev" name "$name"
    in_ns "$ns" ip addr add "$addr/24" dev "$name"
    in_ns "$ns" ip link set "$name" up
}

build_network() {
    for ns in "${NAMESPACES[@]}"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    ip route add unreachable "$RANGE"
    link "" pjl-bastion 10.231.1.254 pjlab-bastion eth0 10.231.1.1
    link pjlab-bastion eth1 10.231.2.1 pjlab-targets eth0 10.231.2.2
    link "" pjl-hop1 10.231.11.254 pjlab-hop1 eth0 10.231.11.1
    for n in 2 3 4 5; do
        link "pjlab-hop$((n - 1))" eth1 "10.231.1$n.1" "pjlab-hop$n" eth0 "10.231.1$n.2"
    done

    # Names as the jump resolves them: `ip netns exec` mounts /etc/netns/NS/hosts over /etc/hosts.
    hosts_file pjlab-bastion "10.231.2.2 targets.pjlab"
    hosts_file pjlab-targets ""
    hosts_file pjlab-hop1 "10.231.12.2 hop2.pjlab"
    for n in 2 3 4; do hosts_file "pjlab-hop$n" "10.231.1$((n + 1)).2 hop$((n + 1)).pjlab"; done
    hosts_file pjlab-hop5 ""

    # Dropbear: a bastion and a target reachable only through it.
    link "" pjl-dbastion 10.231.21.254 pjlab-dbastion eth0 10.231.21.1
    link pjlab-dbastion eth1 10.231.22.1 pjlab-dtargets eth0 10.231.22.2
    hosts_file pjlab-dbastion "10.231.22.2 dtarget.pjlab"
    hosts_file pjlab-dtargets ""
    device_network
}

# The old device's namespace behind pjlab-bastion, and its name as the bastion resolves it.
device_network() {
    ip netns list | grep -qw pjlab-devices || { ip netns add pjlab-devices; ip -n pjlab-devices link set lo up; }
    ip -n pjlab-devices link show eth0 >/dev/null 2>&1 || link pjlab-bastion eth2 10.231.3.1 pjlab-devices eth0 10.231.3.2
    hosts_file pjlab-devices ""
    # Appended in place: a running bastion sshd sees /etc/netns/pjlab-bastion/hosts through a bind mount of this file.
    grep -q ' switch01.pjlab$' /etc/netns/pjlab-bastion/hosts || printf '10.231.3.2 switch01.pjlab\n' >>/etc/netns/pjlab-bastion/hosts
}

hosts_file() {
    mkdir -p "/etc/netns/$1"
    printf '127.0.0.1 localhost\n%s\n' "$2" >"/etc/netns/$1/hosts"
}

# ---------------------------------------------------------------------------------------------------- users, keys, PAM
declare -A PASSWORD TOTP

make_users() {
    for user in "${USERS[@]}"; do
        id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
        PASSWORD[$user]=$(random_password)
        printf '%s:%s\n' "$user" "${PASSWORD[$user]}" | chpasswd
    done
    DUO_PASSCODE=$(random_passcode)

    # pam_google_authenticator secrets, read as root from the lab's own directory (user=root below).
    install -d -m 700 "$STATE/totp"
    for user in pjmfa pjmfa-noreuse pjkey; do
        TOTP[$user]=$(random_totp_secret)
        {
            printf '%s\n" TOTP_AUTH\n" WINDOW_SIZE 3\n' "${TOTP[$user]}"
            # pjmfa may log in many times within one 30 s step (parallel tests); pjmfa-noreuse proves replay refusal.
            if [[ $user == pjmfa-noreuse ]]; then printf '" DISALLOW_REUSE\n'; fi
        } >"$STATE/totp/$user"
        chmod 600 "$STATE/totp/$user"
    done
    # pjmfa-fast: 3-second TOTP steps with reuse refused, so a test sees real step changes and real reuse refusals
    # across many logins in seconds instead of minutes.
    TOTP[pjmfa-fast]=$(random_totp_secret)
    printf '%s\n" TOTP_AUTH\n" STEP_SIZE %s\n" WINDOW_SIZE 3\n" DISALLOW_REUSE\n' "${TOTP[pjmfa-fast]}" "$FAST_TOTP_STEP" >"$STATE/totp/pjmfa-fast"
    chmod 600 "$STATE/totp/pjmfa-fast"
}

make_keys() {
    install -d -m 755 "$STATE/keys" "$STATE/hostkeys" "$STATE/authorized_keys"
    ssh-keygen -q -t ed25519 -N '' -C pjlab-client-ed25519 -f "$STATE/keys/client_ed25519"
    ssh-keygen -q -t rsa -b 3072 -N '' -C pjlab-client-rsa -f "$STATE/keys/client_rsa"
    ssh-keygen -q -t ed25519 -N '' -C pjlab-user-ca -f "$STATE/keys/user_ca"
    for user in "${USERS[@]}"; do
        cat "$STATE/keys/client_ed25519.pub" "$STATE/keys/client_rsa.pub" >"$STATE/authorized_keys/$user"
    done
    chmod 644 "$STATE"/authorized_keys/*
    # One host key per host (namespace), as real machines have.
    for ns in "${NAMESPACES[@]}"; do
        ssh-keygen -q -t ed25519 -N '' -C "$ns" -f "$STATE/hostkeys/$ns"
    done
}

make_pam() {
    install -d -m 755 "$STATE/lib"
    gcc -shared -fPIC -O2 -Wall -Werror -o "$STATE/lib/pam_duo_standin.so" "$HERE/pam_duo_standin.c" -lpam
    local ga="pam_google_authenticator.so secret=$STATE/totp/\${USER} user=root"
    local tail=$'account required pam_unix.so\nsession required pam_permit.so\npassword required pam_deny.so'
    printf 'auth required pam_unix.so\n%s\n' "$tail" >/etc/pam.d/sshd-pjlab
    # The parity twins compare clients, not PAM: no 2 s pam_unix delay after a wrong password, so the suite's dozens
    # of refused logins cost round trips instead of minutes.
    printf 'auth required pam_unix.so nodelay\n%s\n' "$tail" >/etc/pam.d/sshd-pjlab-parity
    printf 'auth required pam_unix.so\nauth required %s\n%s\n' "$ga" "$tail" >/etc/pam.d/sshd-pjlab-mfa
    printf 'auth required %s\n%s\n' "$ga" "$tail" >/etc/pam.d/sshd-pjlab-keymfa
    printf 'auth required pam_unix.so\nauth required %s delay=%s passcode=%s\n%s\n' \
        "$STATE/lib/pam_duo_standin.so" "$DUO_DELAY" "$DUO_PASSCODE" "$tail" >/etc/pam.d/sshd-pjlab-duo
    # sshd names its PAM service after the path it was started by.
    for service in "${PAM_SERVICES[@]}"; do ln -sfn /usr/sbin/sshd "/usr/local/sbin/$service"; done
}

# ---------------------------------------------------------------------------------------------------- servers
SERVERS_JSON=()
KNOWN_HOSTS=()

# server ID NS ADDRESS PORT HOST VIA KIND USERS...
#   KIND: password | key | mfa | keymfa | duo | noforward
server() {
    local id=$1 ns=$2 address=$3 port=$4 host=$5 via=$6 kind=$7
    shift 7
    local users=("$@") service=sshd-pjlab auth methods forwarding=yes
    case $kind in
        password) auth="password|publickey"; methods="password publickey" ;;
        noforward) auth="password"; methods="password"; forwarding=no ;;
        key) auth="publickey"; methods="publickey" ;;
        mfa) auth="password+totp"; methods="keyboard-interactive"; service=sshd-pjlab-mfa ;;
        keymfa) auth="publickey+totp"; methods="publickey,keyboard-interactive"; service=sshd-pjlab-keymfa ;;
        duo) auth="password+duo"; methods="keyboard-interactive"; service=sshd-pjlab-duo ;;
    esac

    install -d -m 755 "$STATE/sshd"
    cat >"$STATE/sshd/$id.conf" <<EOF
ListenAddress $address:$port
HostKey $STATE/hostkeys/$ns
PidFile $STATE/sshd/$id.pid
AuthorizedKeysFile $STATE/authorized_keys/%u
TrustedUserCAKeys $STATE/keys/user_ca.pub
AllowUsers ${users[*]}
AuthenticationMethods $methods
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PubkeyAuthentication yes
AllowTcpForwarding $forwarding
PermitRootLogin no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups ${MAX_STARTUPS:-400:30:800}
MaxSessions 200
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF
    in_ns "$ns" "/usr/local/sbin/$service" -t -f "$STATE/sshd/$id.conf" || die "sshd rejected the config of $id"
    in_ns "$ns" "/usr/local/sbin/$service" -f "$STATE/sshd/$id.conf" -E "$STATE/sshd/$id.log"
    wait_listening "$ns" "$address" "$port" || die "sshd $id did not listen on $address:$port (see $STATE/sshd/$id.log)"

    local names=$host
    [[ $host != "$address" ]] && names+=",$address"
    if [[ $port != 22 ]]; then names=$(tr ',' '\n' <<<"$names" | sed "s/.*/[&]:$port/" | paste -sd,); fi
    KNOWN_HOSTS+=("$names $(cut -d' ' -f1,2 "$STATE/hostkeys/$ns.pub")")

    local user_json=() user
    for user in "${users[@]}"; do user_json+=("$(user_json "$kind" "$user")"); done
    local via_json=null
    [[ -n $via ]] && via_json="\"$via\""
    SERVERS_JSON+=("$(printf '"%s": {"host": "%s", "address": "%s", "port": %s, "via": %s, "namespace": "%s", "auth": "%s", "forwarding": %s, "software": "openssh", "maxStartups": "%s", "users": {%s}}' \
        "$id" "$host" "$address" "$port" "$via_json" "$ns" "$auth" "$([[ $forwarding == yes ]] && echo true || echo false)" "${MAX_STARTUPS:-400:30:800}" "$(IFS=,; echo "${user_json[*]}")")")
}

# dropbear_server ID NS ADDRESS PORT HOST VIA USER: Debian's dropbear, password or key (~USER/.ssh/authorized_keys,
# the only place dropbear reads), local forwarding allowed, its built-in limits (5 unauthenticated connections per
# address, 30 in all). Its host key is the namespace's, converted to dropbear's format.
dropbear_server() {
    local id=$1 ns=$2 address=$3 port=$4 host=$5 via=$6 user=$7 home
    install -d -m 755 "$STATE/dropbear"
    home=$(getent passwd "$user" | cut -d: -f6)
    install -d -m 700 -o "$user" -g "$user" "$home/.ssh"
    install -m 600 -o "$user" -g "$user" "$STATE/authorized_keys/$user" "$home/.ssh/authorized_keys"
    [[ -f $STATE/dropbear/$ns.key ]] || dropbearconvert openssh dropbear "$STATE/hostkeys/$ns" "$STATE/dropbear/$ns.key" >/dev/null 2>&1 \
        || die "dropbearconvert could not convert the host key of $ns"
    in_ns "$ns" /usr/sbin/dropbear -r "$STATE/dropbear/$ns.key" -p "$address:$port" -P "$STATE/dropbear/$id.pid" -E -m -w \
        2>>"$STATE/dropbear/$id.log" || die "dropbear $id did not start (see $STATE/dropbear/$id.log)"
    wait_listening "$ns" "$address" "$port" || die "dropbear $id did not listen on $address:$port (see $STATE/dropbear/$id.log)"

    local names=$host
    [[ $host != "$address" ]] && names+=",$address"
    if [[ $port != 22 ]]; then names=$(tr ',' '\n' <<<"$names" | sed "s/.*/[&]:$port/" | paste -sd,); fi
    KNOWN_HOSTS+=("$names $(cut -d' ' -f1,2 "$STATE/hostkeys/$ns.pub")")
    local via_json=null
    [[ -n $via ]] && via_json="\"$via\""
    SERVERS_JSON+=("$(printf '"%s": {"host": "%s", "address": "%s", "port": %s, "via": %s, "namespace": "%s", "auth": "password|publickey", "forwarding": true, "software": "dropbear", "users": {%s}}' \
        "$id" "$host" "$address" "$port" "$via_json" "$ns" "$(user_json password "$user")")")
}

user_json() {
    local kind=$1 user=$2 fields=()
    [[ $kind != keymfa && $kind != key ]] && fields+=("\"password\": \"${PASSWORD[$user]}\"")
    [[ -n ${TOTP[$user]:-} ]] && fields+=("\"totpSecret\": \"${TOTP[$user]}\"")
    [[ $user == pjmfa-fast ]] && fields+=("\"totpPeriod\": $FAST_TOTP_STEP")
    [[ $kind == duo ]] && fields+=("\"duoPasscode\": \"$DUO_PASSCODE\"" "\"duoPushDelaySeconds\": $DUO_DELAY")
    printf '"%s": {%s}' "$user" "$(IFS=,; echo "${fields[*]}")"
}

wait_listening() {
    local ns=$1 address=$2 port=$3
    for _ in $(seq 50); do
        in_ns "$ns" bash -c "exec 3<>/dev/tcp/$address/$port" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

start_servers() {
    install -d -m 755 /run/sshd
    server bastion pjlab-bastion 10.231.1.1 22 10.231.1.1 "" mfa pjmfa pjmfa-noreuse pjmfa-fast
    server bastion-keymfa pjlab-bastion 10.231.1.1 2222 10.231.1.1 "" keymfa pjkey
    server bastion-duo pjlab-bastion 10.231.1.1 2223 10.231.1.1 "" duo pjduo
    server bastion-password pjlab-bastion 10.231.1.1 2224 10.231.1.1 "" password pjjump
    server bastion-noforward pjlab-bastion 10.231.1.1 2225 10.231.1.1 "" noforward pjjump
    server target-password pjlab-targets 10.231.2.2 22 targets.pjlab bastion-password password pjtarget
    server target-key pjlab-targets 10.231.2.2 2200 targets.pjlab bastion-password key pjtarget
    server hop1 pjlab-hop1 10.231.11.1 22 10.231.11.1 "" password pjhop
    for n in 2 3 4 5; do
        server "hop$n" "pjlab-hop$n" "10.231.1$n.2" 22 "hop$n.pjlab" "hop$((n - 1))" password pjhop
    done
    # OpenSSH's default MaxStartups (10:30:100): what a burst of connections meets on a stock server.
    MAX_STARTUPS=10:30:100 server target-maxstartups pjlab-targets 10.231.2.2 2201 targets.pjlab bastion-password password pjtarget
    dropbear_server dropbear-bastion pjlab-dbastion 10.231.21.1 22 10.231.21.1 "" pjdrop
    dropbear_server dropbear-target pjlab-dtargets 10.231.22.2 22 dtarget.pjlab dropbear-bastion pjdrop
    # Parity twins: the same configuration straight from the root namespace and behind bastion-password.
    parity_server parity-direct pjlab-bastion 10.231.1.1 2300 10.231.1.1 "" yes
    parity_server parity-target pjlab-targets 10.231.2.2 2300 targets.pjlab bastion-password yes
    parity_server parity-direct-nosftp pjlab-bastion 10.231.1.1 2301 10.231.1.1 "" no
    parity_server parity-target-nosftp pjlab-targets 10.231.2.2 2301 targets.pjlab bastion-password no
    device_server switch01 pjlab-devices 10.231.3.2 22 switch01.pjlab bastion-password pjnet
}

# device_server ID NS ADDRESS PORT HOST VIA USER: sshd configured like an old switch or router (OpenSSH 9.2 can be made
# to offer exactly what they offer): an ssh-rsa (SHA-1) host key only, diffie-hellman-group14-sha1 only,
# aes128-cbc/aes256-ctr, hmac-sha1; password and keyboard-interactive (PAM's password prompt), no public keys, no
# forwarding. Every login runs a small CLI emulation (switch-cli: `switch01>`, `enable` with its own password to
# `switch01#`, `show ...`, `exit`); an exec request runs one CLI command, as many devices allow.
device_server() {
    local id=$1 ns=$2 address=$3 port=$4 host=$5 via=$6 user=$7 enable
    install -d -m 755 "$STATE/sshd" "$STATE/lib" "$STATE/devices"
    [[ -f $STATE/hostkeys/$ns-rsa ]] || ssh-keygen -q -t rsa -b 2048 -N '' -C "$ns" -f "$STATE/hostkeys/$ns-rsa"
    install -m 755 "$HERE/switch-cli" "$STATE/lib/switch-cli"
    enable=$(random_password)
    printf '%s\n' "$enable" >"$STATE/devices/$id.enable"
    chown "$user:$user" "$STATE/devices/$id.enable"
    chmod 600 "$STATE/devices/$id.enable"
    cat >"$STATE/sshd/$id.conf" <<EOF
ListenAddress $address:$port
HostKey $STATE/hostkeys/$ns-rsa
PidFile $STATE/sshd/$id.pid
HostKeyAlgorithms ssh-rsa
KexAlgorithms diffie-hellman-group14-sha1
Ciphers aes128-cbc,aes256-ctr
MACs hmac-sha1
AllowUsers $user
AuthenticationMethods password keyboard-interactive
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PubkeyAuthentication no
AllowTcpForwarding no
AllowAgentForwarding no
PermitRootLogin no
UseDNS no
PrintMotd no
PrintLastLog no
SetEnv PJLAB_DEVICE=$id PJLAB_ENABLE_FILE=$STATE/devices/$id.enable
ForceCommand $STATE/lib/switch-cli
LogLevel VERBOSE
EOF
    in_ns "$ns" /usr/local/sbin/sshd-pjlab -t -f "$STATE/sshd/$id.conf" || die "sshd rejected the config of $id"
    in_ns "$ns" /usr/local/sbin/sshd-pjlab -f "$STATE/sshd/$id.conf" -E "$STATE/sshd/$id.log"
    wait_listening "$ns" "$address" "$port" || die "sshd $id did not listen on $address:$port (see $STATE/sshd/$id.log)"

    KNOWN_HOSTS+=("$host,$address $(cut -d' ' -f1,2 "$STATE/hostkeys/$ns-rsa.pub")")
    SERVERS_JSON+=("$(printf '"%s": {"host": "%s", "address": "%s", "port": %s, "via": "%s", "namespace": "%s", "auth": "password|keyboard-interactive", "forwarding": false, "software": "openssh", "legacyAlgorithms": {"kexAlgorithms": "diffie-hellman-group14-sha1", "hostKeyAlgorithms": "ssh-rsa", "ciphers": "aes128-cbc,aes256-ctr", "macs": "hmac-sha1"}, "users": {"%s": {"password": "%s", "enablePassword": "%s"}}}' \
        "$id" "$host" "$address" "$port" "$via" "$ns" "$user" "${PASSWORD[$user]}" "$enable")")
}

# parity_server ID NS ADDRESS PORT HOST VIA SFTP: one of a pair of identically configured servers for the parity suite
# (SSH.NET's plain clients straight to the twin in pjlab-bastion, the jump clients through bastion-password to the
# twin in pjlab-targets). Each PARITY_USERS user has its own AuthenticationMethods; pjpar-off lists a method that is
# switched off for it, so sshd disconnects with "no authentication methods enabled". SFTP=no leaves out the sftp
# subsystem. Keyboard-interactive is PAM's password prompt (sshd-pjlab-parity: pam_unix without its failure delay).
parity_server() {
    local id=$1 ns=$2 address=$3 port=$4 host=$5 via=$6 sftp=$7 user
    install -d -m 755 "$STATE/sshd"
    {
        cat <<EOF
ListenAddress $address:$port
HostKey $STATE/hostkeys/$ns
PidFile $STATE/sshd/$id.pid
AuthorizedKeysFile $STATE/authorized_keys/%u
AllowUsers ${PARITY_USERS[*]}
UsePAM yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PubkeyAuthentication yes
AllowTcpForwarding yes
PermitRootLogin no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 400:30:800
MaxSessions 200
LogLevel VERBOSE
EOF
        if [[ $sftp == yes ]]; then echo "Subsystem sftp internal-sftp"; fi
        for user in "${PARITY_USERS[@]}"; do
            printf 'Match User %s\n    AuthenticationMethods %s\n' "$user" "${PARITY_METHODS[$user]}"
            if [[ $user == pjpar-off ]]; then printf '    PasswordAuthentication no\n'; fi
        done
    } >"$STATE/sshd/$id.conf"
    in_ns "$ns" /usr/local/sbin/sshd-pjlab-parity -t -f "$STATE/sshd/$id.conf" || die "sshd rejected the config of $id"
    in_ns "$ns" /usr/local/sbin/sshd-pjlab-parity -f "$STATE/sshd/$id.conf" -E "$STATE/sshd/$id.log"
    wait_listening "$ns" "$address" "$port" || die "sshd $id did not listen on $address:$port (see $STATE/sshd/$id.log)"

    local names=$host
    [[ $host != "$address" ]] && names+=",$address"
    names=$(tr ',' '\n' <<<"$names" | sed "s/.*/[&]:$port/" | paste -sd,)
    KNOWN_HOSTS+=("$names $(cut -d' ' -f1,2 "$STATE/hostkeys/$ns.pub")")

    local user_json=() via_json=null
    for user in "${PARITY_USERS[@]}"; do
        user_json+=("$(printf '"%s": {"password": "%s", "authenticationMethods": "%s"}' "$user" "${PASSWORD[$user]}" "${PARITY_METHODS[$user]}")")
    done
    [[ -n $via ]] && via_json="\"$via\""
    SERVERS_JSON+=("$(printf '"%s": {"host": "%s", "address": "%s", "port": %s, "via": %s, "namespace": "%s", "auth": "per-user", "forwarding": true, "software": "openssh", "sftp": %s, "maxStartups": "400:30:800", "users": {%s}}' \
        "$id" "$host" "$address" "$port" "$via_json" "$ns" "$([[ $sftp == yes ]] && echo true || echo false)" "$(IFS=,; echo "${user_json[*]}")")")
}

write_description() {
    printf '%s\n' "${KNOWN_HOSTS[@]}" >"$STATE/known_hosts"
    local tmp="$STATE/lab.json.tmp"
    cat >"$tmp" <<EOF
{
  "version": 1,
  "stateDir": "$STATE",
  "script": "$HERE/lab.sh",
  "knownHosts": "$STATE/known_hosts",
  "addressRange": "$RANGE",
  "keys": {"ed25519": "$STATE/keys/client_ed25519", "rsa": "$STATE/keys/client_rsa", "userCa": "$STATE/keys/user_ca"},
  "servers": {
    $(IFS=$'\n'; sed '$!s/$/,/' <<<"${SERVERS_JSON[*]}")
  }
}
EOF
    chmod 644 "$tmp"
    mv "$tmp" "$STATE/lab.json"
}

# ---------------------------------------------------------------------------------------------------- commands
stop() {
    rm -f "$STATE/lab.json"
    local ns
    for ns in "${NAMESPACES[@]}"; do
        if ip netns list 2>/dev/null | grep -qw "$ns"; then
            # Every process in the namespace: sshd listeners and the sessions they forked.
            ip netns pids "$ns" 2>/dev/null | xargs -r kill -TERM 2>/dev/null || true
        fi
    done
    sleep 0.2
    for ns in "${NAMESPACES[@]}"; do
        if ip netns list 2>/dev/null | grep -qw "$ns"; then
            ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
            # Wait for them to be gone, so nothing of the lab outlives `stop`.
            for _ in $(seq 30); do [[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && break; sleep 0.1; done
            ip netns del "$ns"
        fi
        rm -rf "/etc/netns/$ns"
    done
    ip route del unreachable "$RANGE" 2>/dev/null || true
    for service in "${PAM_SERVICES[@]}"; do rm -f "/etc/pam.d/$service" "/usr/local/sbin/$service"; done
    for user in "${USERS[@]}"; do
        if id "$user" >/dev/null 2>&1; then
            pkill -KILL -u "$user" 2>/dev/null || true
            userdel -r "$user" 2>/dev/null || userdel "$user" 2>/dev/null || true
        fi
    done
    rm -rf "$STATE"
}

# set_link NAMESPACE down|up: the link into a host (its eth0) goes silent or comes back. Down drops every packet both
# ways without a FIN or RST, as a cut cable or a dead router does; connections through it stay open, silent.
set_link() {
    local ns=$1 state=$2
    [[ $state == down || $state == up ]] || die "usage: $0 link NAMESPACE down|up"
    ip netns list | grep -qw "$ns" || die "no lab namespace $ns"
    ip -n "$ns" link set eth0 "$state"
    [[ $state == up ]] || return 0

    # Back means carrying traffic again: wait for the carrier on both ends, then forget what every lab neighbour table
    # learned while the link was silent (a reconnect right after "up" met "No route to host" from a stale entry).
    local tries=0 ns_other dev
    until ip -n "$ns" -o link show eth0 | grep -q 'state UP'; do
        ((++tries <= 50)) || die "link $ns up, but eth0 has no carrier after 5 s"
        sleep 0.1
    done
    for ns_other in "${NAMESPACES[@]}"; do ip -n "$ns_other" neigh flush all 2>/dev/null || true; done
    for dev in $(ip -o link show | awk -F': ' '$2 ~ /^pjl-/ {sub(/@.*/, "", $2); print $2}'); do
        ip neigh flush dev "$dev" 2>/dev/null || true
    done
}

status() {
    [[ -f $STATE/lab.json ]] || { echo "lab: not running"; return 1; }
    local down=0 pidfile
    for pidfile in "$STATE"/sshd/*.pid "$STATE"/dropbear/*.pid; do
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "lab: $(basename "$pidfile" .pid) is down"
            down=1
        fi
    done
    ((down == 0)) || return 1
    echo "lab: running, $(ls "$STATE"/sshd/*.pid "$STATE"/dropbear/*.pid | wc -l) servers, described in $STATE/lab.json"
}

start() {
    require_root_and_namespaces
    if status >/dev/null 2>&1; then
        log "already running ($STATE/lab.json)"
        return 0
    fi
    install_packages
    stop # leftovers of an interrupted run
    trap 'log "start failed; cleaning up"; stop' ERR
    trap 'log "interrupted; cleaning up"; stop; exit 130' INT TERM
    install -d -m 755 "$STATE"
    build_network
    make_users
    make_keys
    make_pam
    start_servers
    write_description
    trap - ERR INT TERM
    status
}

case ${1:-} in
    start) start ;;
    stop) require_root_and_namespaces; stop; log "stopped" ;;
    status) status ;;
    restart) require_root_and_namespaces; stop; start ;;
    link) require_root_and_namespaces; set_link "${2:-}" "${3:-}" ;;
    *) echo "usage: $0 start|stop|status|restart|link NAMESPACE down|up" >&2; exit 2 ;;
esac
