import { embeddedIPv4, refusedAddressReason } from './webhook-address.rules';

describe('refusedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.100.100.200', 'shared address space'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00:ec2::254', 'unique local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback, inside an IPv6 address'],
    ['::ffff:7f00:1', 'loopback, inside an IPv6 address'],
    ['::ffff:a9fe:a9fe', 'link-local (cloud metadata), inside an IPv6 address'],
    ['64:ff9b::10.0.0.1', 'private, inside an IPv6 address'],
    ['2002:c0a8:0101::1', 'private, inside an IPv6 address'],
    ['::10.0.0.1', 'private, inside an IPv6 address'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['localhost', 'not an IP address'],
  ])('refuses %s (%s)', (address, why) => {
    expect(refusedAddressReason(address)).toContain(why);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('allows the public address %s', (address) => {
    expect(refusedAddressReason(address)).toBeNull();
  });
});

describe('embeddedIPv4', () => {
  it.each([
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['64:ff9b::1.2.3.4', '1.2.3.4'],
    ['2002:0102:0304::', '1.2.3.4'],
    ['::1', null],
    ['2606:4700::1', null],
    ['1.2.3.4', null],
  ])('%s carries %s', (address, carried) => {
    expect(embeddedIPv4(address)).toBe(carried);
  });
});
