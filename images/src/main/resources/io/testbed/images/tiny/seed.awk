# Testbed tiny template: reads the NoCloud seed files that Testbed's SeedIso writes (meta-data,
# user-data, network-config). They are ordinary YAML, so real cloud-init images read the same files;
# this reader understands the block-style subset SeedIso produces (maps, "- " lists, lists of maps,
# [a, b] flow lists, "|" literal blocks, plain and quoted scalars) and ignores every other key.
#
# Usage: awk -v keyfile=FILE -f seed.awk meta-data user-data network-config
# Prints one instruction per line for /etc/init.d/rcS (fields separated by one space, the last
# field of authorized-key/host-public-key may contain spaces):
#   hostname NAME | instance-id ID | authorized-key LINE | host-public-key LINE
#   nic ID MAC NAME MTU   (NAME and MTU are "-" when absent)
#   address ID CIDR | route ID TO VIA | nameserver ADDRESS
# The ssh_keys.ed25519_private block (OpenSSH format) is written to keyfile.

function trim(s) {
    sub(/^[ \t]+/, "", s)
    sub(/[ \t\r]+$/, "", s)
    return s
}

function scalar(s,    out, i, c) {
    s = trim(s)
    if (substr(s, 1, 1) == "\"") {
        out = ""
        for (i = 2; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\\") {
                i++
                c = substr(s, i, 1)
                if (c == "n") c = "\n"
                else if (c == "t") c = "\t"
            } else if (c == "\"") {
                break
            }
            out = out c
        }
        return out
    }
    if (substr(s, 1, 1) == "'") {
        out = ""
        for (i = 2; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "'") {
                if (substr(s, i + 1, 1) != "'") break
                i++
            }
            out = out c
        }
        return out
    }
    sub(/[ \t]+#.*$/, "", s)
    return s
}

function indentOf(s) {
    match(s, /^ */)
    return RLENGTH
}

function currentPath(    p, i) {
    p = ""
    for (i = 1; i <= depth; i++) p = (p == "" ? key[i] : p "." key[i])
    sub(/^network\./, "", p)
    return p
}

function push(ind, k) {
    depth++
    level[depth] = ind
    key[depth] = k
}

function remember(id) {
    if (!(id in known)) {
        known[id] = 1
        ids[++idCount] = id
    }
}

# A scalar value at a map key.
function value(path, v,    parts, n) {
    if (file == "meta-data") {
        if (path == "local-hostname") print "hostname " v
        else if (path == "instance-id") print "instance-id " v
    } else if (file == "user-data") {
        if (path == "ssh_keys.ed25519_public") print "host-public-key " v
    } else if (file == "network-config") {
        n = split(path, parts, ".")
        if (parts[1] != "ethernets" || n < 3) return
        remember(parts[2])
        if (n == 4 && parts[3] == "match" && parts[4] == "macaddress") mac[parts[2]] = tolower(v)
        else if (n == 3 && parts[3] == "set-name") setName[parts[2]] = v
        else if (n == 3 && parts[3] == "mtu") mtu[parts[2]] = v
        else if (n == 3 && parts[3] == "gateway4") addRoute(parts[2], "default", v)
        else if (n == 5 && parts[3] == "routes" && parts[5] == "to") routeTo[parts[2], parts[4]] = v
        else if (n == 5 && parts[3] == "routes" && parts[5] == "via") routeVia[parts[2], parts[4]] = v
    }
}

# A scalar item of a list at path.
function item(path, v,    parts, n) {
    if (file == "user-data") {
        if (path == "ssh_authorized_keys") print "authorized-key " v
    } else if (file == "network-config") {
        n = split(path, parts, ".")
        if (parts[1] != "ethernets" || n < 3) return
        remember(parts[2])
        if (n == 3 && parts[3] == "addresses") addresses[parts[2]] = addresses[parts[2]] " " v
        else if (n == 4 && parts[3] == "nameservers" && parts[4] == "addresses") {
            if (!(v in dnsSeen)) {
                dnsSeen[v] = 1
                dns[++dnsCount] = v
            }
        }
    }
}

function addRoute(id, to, via) {
    extraRoutes[id] = extraRoutes[id] " " to "," via
}

function flow(path, v,    parts, n, i) {
    v = trim(v)
    v = substr(v, 2, length(v) - 2)
    n = split(v, parts, ",")
    for (i = 1; i <= n; i++) if (trim(parts[i]) != "") item(path, scalar(parts[i]))
}

FNR == 1 {
    file = FILENAME
    sub(/.*\//, "", file)
    depth = 0
    inBlock = 0
}

inBlock {
    if ($0 ~ /^[ \t\r]*$/) next
    ind = indentOf($0)
    if (ind > blockParent) {
        if (blockIndent < 0) blockIndent = ind
        print substr($0, blockIndent + 1) > keyfile
        next
    }
    inBlock = 0
    close(keyfile)
}

/^[ \t]*#/ || /^[ \t\r]*$/ || /^---/ || /^\.\.\./ { next }

{
    ind = indentOf($0)
    line = trim(substr($0, ind + 1))
    while (depth > 0 && level[depth] >= ind) depth--
    if (line ~ /^-( |$)/) {
        path = currentPath()
        rest = trim(substr(line, 2))
        if (rest ~ /^[A-Za-z0-9_.-]+:( |$)/) {
            itemNumber[path]++
            push(ind, itemNumber[path])
            ind = ind + 2
            line = rest
        } else {
            item(path, scalar(rest))
            next
        }
    }
    colon = index(line, ":")
    if (colon == 0) next
    k = trim(substr(line, 1, colon - 1))
    v = trim(substr(line, colon + 1))
    push(ind, scalar(k))
    path = currentPath()
    if (v ~ /^\|[-+]?$/) {
        if (file == "user-data" && path == "ssh_keys.ed25519_private" && keyfile != "") {
            inBlock = 1
            blockParent = ind
            blockIndent = -1
        }
    } else if (v ~ /^\[.*\]$/) {
        flow(path, v)
    } else if (v != "") {
        value(path, scalar(v))
    }
}

END {
    if (inBlock) close(keyfile)
    for (i = 1; i <= idCount; i++) {
        id = ids[i]
        if (!(id in mac)) continue
        print "nic " id " " mac[id] " " ((id in setName) ? setName[id] : "-") " " ((id in mtu) ? mtu[id] : "-")
        n = split(addresses[id], list, " ")
        for (j = 1; j <= n; j++) print "address " id " " list[j]
        for (j = 1; ((id, j) in routeTo) || ((id, j) in routeVia); j++) {
            if (((id, j) in routeTo) && ((id, j) in routeVia)) print "route " id " " routeTo[id, j] " " routeVia[id, j]
        }
        n = split(extraRoutes[id], list, " ")
        for (j = 1; j <= n; j++) {
            split(list[j], pair, ",")
            print "route " id " " pair[1] " " pair[2]
        }
    }
    for (i = 1; i <= dnsCount; i++) print "nameserver " dns[i]
}
