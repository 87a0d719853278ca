#!/bin/sh
# Mints the PKI of the compose federation (region, Lhasa, two counties) into
# $PKI (default /pki) with the same `extranet certs` steps an administrator
# runs by hand (docs/operations.md). Runs once: skipped when already done.
set -eu
P=${PKI:-/pki}
X=${EXTRANET:-extranet}
[ -f "$P/done" ] && { echo "PKI already present in $P"; exit 0; }

# leaf NAME NODE CA_DIR: node and operator certificates for one node
leaf() {
  mkdir -p "$P/$1/tls" "$P/$1/operator"
  $X certs request --node "$2" --kind node --out "$P/$1/tls"
  $X certs sign --ca "$3" --csr "$P/$1/tls/node.csr.pem" --kind node --out "$P/$1/tls/node.pem"
  $X certs request --node "$2" --kind operator --name operator --out "$P/$1/operator"
  $X certs sign --ca "$3" --csr "$P/$1/operator/operator.csr.pem" --kind operator --out "$P/$1/operator/operator.pem"
  cp "$P/root/root.pem" "$P/$1/tls/root.pem"
  cp "$P/root/root.pem" "$P/$1/operator/root.pem"
}

$X certs init-root --node 540000 --out "$P/root"
leaf region 540000 "$P/root"
# Lhasa gets an intermediate CA confined to its subtree, then signs its counties.
mkdir -p "$P/lhasa/req"
$X certs request --node 540000/540100 --kind ca --out "$P/lhasa/req"
$X certs sign --ca "$P/root" --csr "$P/lhasa/req/ca.csr.pem" --kind ca --out "$P/lhasa/req/ca-chain.pem"
$X certs install-ca --key "$P/lhasa/req/ca.key" --cert "$P/lhasa/req/ca-chain.pem" --root "$P/root/root.pem" --out "$P/lhasa/ca"
leaf lhasa 540000/540100 "$P/lhasa/ca"
leaf chengguan 540000/540100/540102 "$P/lhasa/ca"
leaf doilungdeqen 540000/540100/540103 "$P/lhasa/ca"
touch "$P/done"
echo "PKI ready in $P"
