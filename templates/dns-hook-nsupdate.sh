#!/bin/sh
# A DNS-01 hook for `certtool acme --dns-hook`: publishes and removes the
# challenge TXT record by RFC 2136 dynamic update signed with a TSIG key
# (nsupdate, Debian package bind9-dnsutils). Works with any primary server
# that accepts TSIG-signed updates (BIND, Knot DNS, PowerDNS); Windows DNS
# accepts only GSS-TSIG (Kerberos), which needs another hook.
#
# certtool runs it directly, without a shell, the way lego's exec provider does:
#   dns-hook-nsupdate.sh present _acme-challenge.sip.contoso.com. VALUE
#   dns-hook-nsupdate.sh cleanup _acme-challenge.sip.contoso.com. VALUE
#
# Environment:
#   CERTTOOL_NSUPDATE_SERVER   the server that accepts updates, an address or a name (required)
#   CERTTOOL_NSUPDATE_PORT     its port (default 53)
#   CERTTOOL_NSUPDATE_KEYFILE  the TSIG key, as `nsupdate -k` reads it (required), e.g.
#                                key "acme-update" { algorithm hmac-sha256; secret "BASE64..."; };
#   CERTTOOL_NSUPDATE_ZONE     the zone to update (default: nsupdate asks the server for the SOA)
#   CERTTOOL_NSUPDATE_TTL      the record's TTL in seconds (default 60)
#   CERTTOOL_NSUPDATE_TIMEOUT  seconds nsupdate waits for the server (default 10)
# Exit status 0 when the server accepted the update; anything else makes
# certtool stop that order (and still run cleanup).
set -eu

usage() {
  echo "usage: $0 present|cleanup _acme-challenge.<name>. <value>" >&2
  exit 2
}

[ "$#" -eq 3 ] || usage
action=$1
record=$2
value=$3
case $action in
  present | cleanup) ;;
  *) usage ;;
esac
# Only what a challenge can hold reaches nsupdate's command language.
case $record in
  _acme-challenge.*.) ;;
  *) echo "$0: '$record' is not an _acme-challenge name with its final dot" >&2; exit 2 ;;
esac
case $record in
  *[!A-Za-z0-9._-]*) echo "$0: '$record' holds characters a DNS name does not" >&2; exit 2 ;;
esac
case $value in
  '' | *[!A-Za-z0-9_-]*) echo "$0: the value is not base64url" >&2; exit 2 ;;
esac

server=${CERTTOOL_NSUPDATE_SERVER:?set CERTTOOL_NSUPDATE_SERVER to the DNS server that accepts updates}
keyfile=${CERTTOOL_NSUPDATE_KEYFILE:?set CERTTOOL_NSUPDATE_KEYFILE to the TSIG key file}
port=${CERTTOOL_NSUPDATE_PORT:-53}
ttl=${CERTTOOL_NSUPDATE_TTL:-60}
timeout=${CERTTOOL_NSUPDATE_TIMEOUT:-10}
if [ ! -r "$keyfile" ]; then
  echo "$0: cannot read the TSIG key file $keyfile" >&2
  exit 2
fi

if [ "$action" = present ]; then
  change="update add $record $ttl IN TXT \"$value\""
else
  change="update delete $record IN TXT \"$value\""
fi

{
  echo "server $server $port"
  if [ -n "${CERTTOOL_NSUPDATE_ZONE:-}" ]; then
    echo "zone $CERTTOOL_NSUPDATE_ZONE"
  fi
  echo "$change"
  echo "send"
} | nsupdate -k "$keyfile" -t "$timeout" -u "$timeout"
