// Received fields as the big MTAs write them: the client address and HELO
// name, TLS on the hop, and which hop is where the receiver took the message
// from outside. The field texts follow each MTA's own format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReceived, sendingHop } from '../../src/auth/received.js';
import { parseAuthenticationResults } from '../../src/auth/authentication-results.js';

const unfold = (field: string) => field.replace(/\n\s+/g, ' ');

const MTA_FIELDS: [string, string, { ip?: string; helo?: string; tls: string }][] = [
  ['Gmail, TLS', `from mail.example.com (mail.example.com. [203.0.113.5])
        by mx.google.com with ESMTPS id d2e1a72fcca58-71e4si123.2024.10.10.09.08.07
        for <me@gmail.com>
        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);
        Thu, 10 Oct 2024 09:08:07 -0700 (PDT)`, { ip: '203.0.113.5', helo: 'mail.example.com', tls: 'tls' }],
  ['Gmail, plain', `from mail.example.com (mail.example.com. [203.0.113.5])
        by mx.google.com with ESMTP id d2e1a72fcca58-71e4si123.2024.10.10.09.08.07
        for <me@gmail.com>; Thu, 10 Oct 2024 09:08:07 -0700 (PDT)`, { ip: '203.0.113.5', tls: 'plain' }],
  ['Gmail from Google', `from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41])
        by mx.google.com with SMTPS id a640c23a62f3a-a9a0sor.5.2024.10.10.09.08.07
        for <me@gmail.com> (Google Transport Security); Thu, 10 Oct 2024 09:08:07 -0700 (PDT)`, { ip: '209.85.220.41', tls: 'tls' }],
  ['Postfix, TLS', `from mail.example.com (mail.example.com [203.0.113.5])
	(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)
	 key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)
	(No client certificate requested)
	by mx.example.net (Postfix) with ESMTPS id 4B2C1A0042; Thu, 10 Oct 2024 16:08:07 +0000 (UTC)`, { ip: '203.0.113.5', helo: 'mail.example.com', tls: 'tls' }],
  ['Postfix, no rDNS', `from mail.example.com (unknown [203.0.113.5])
	by mx.example.net (Postfix) with ESMTP id 4B2C1A0042; Thu, 10 Oct 2024 16:08:07 +0000 (UTC)`, { ip: '203.0.113.5', helo: 'mail.example.com', tls: 'plain' }],
  ['Exim, TLS, HELO differs', `from host-5.example.com ([203.0.113.5]:51234 helo=smtp.example.com)
	by mx.example.net with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384
	(Exim 4.96)
	(envelope-from <bounce@example.com>)
	id 1sz7Xq-000Abc-2d
	for me@example.net; Thu, 10 Oct 2024 16:08:07 +0000`, { ip: '203.0.113.5', helo: 'smtp.example.com', tls: 'tls' }],
  ['Exim, plain', `from [203.0.113.5] (helo=smtp.example.com)
	by mx.example.net with esmtp (Exim 4.96)
	(envelope-from <bounce@example.com>)
	id 1sz7Xq-000Abc-2d; Thu, 10 Oct 2024 16:08:07 +0000`, { tls: 'plain' }],
  ['Sendmail, TLS', `from mail.example.com (mail.example.com [203.0.113.5])
	by mx.example.net (8.17.1/8.17.1) with ESMTPS id 49AG87xQ012345
	(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)
	for <me@example.net>; Thu, 10 Oct 2024 16:08:07 GMT`, { ip: '203.0.113.5', tls: 'tls' }],
  ['OpenSMTPD, TLS', `from mail.example.com (mail.example.com [203.0.113.5])
	by mx.example.net (OpenSMTPD) with ESMTPS id 5d6e7f80 (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)
	for <me@example.net>; Thu, 10 Oct 2024 16:08:07 +0000 (UTC)`, { ip: '203.0.113.5', tls: 'tls' }],
  ['Haraka, TLS', `from mail.example.com (mail.example.com [203.0.113.5])
	by mx.example.net (Haraka/3.0.3) with ESMTPS id 4F1C2D3E-5A6B-4C7D-8E9F-0A1B2C3D4E5F.1
	envelope-from <bounce@example.com>
	(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384);
	Thu, 10 Oct 2024 16:08:07 +0000`, { ip: '203.0.113.5', tls: 'tls' }],
  ['Exchange Online, TLS', `from mail.example.com (203.0.113.5) by
 BN2PEPF000044A9.mail.protection.outlook.com (10.167.243.154) with Microsoft SMTP
 Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8048.13 via
 Frontend Transport; Thu, 10 Oct 2024 16:08:07 +0000`, { ip: '203.0.113.5', helo: 'mail.example.com', tls: 'tls' }],
  ['Exchange on premises, plain', `from mail.example.com (203.0.113.5) by
 EX01.corp.example.net (10.0.0.5) with Microsoft SMTP Server id 15.1.2507.39;
 Thu, 10 Oct 2024 16:08:07 +0000`, { ip: '203.0.113.5', tls: 'plain' }],
  ['a host name with "tls" in it is no evidence', `from tls13.example.com (tls13.example.com [203.0.113.5])
	by mx.example.net (Postfix) with SMTP id 4B2C; Thu, 10 Oct 2024 16:08:07 +0000`, { ip: '203.0.113.5', tls: 'plain' }],
];

for (const [name, field, expected] of MTA_FIELDS) {
  test(`Received: ${name}`, () => {
    const hop = parseReceived(unfold(field), 1);
    assert.equal(hop.tls, expected.tls, hop.tlsEvidence);
    if (expected.ip) assert.equal(hop.ip, expected.ip);
    if (expected.helo) assert.equal(hop.helo, expected.helo);
  });
}

test('Outlook.com: the hops between its own servers over public IPv6 are not the sender', () => {
  const fields = [
    'from SA1P223MB1234.NAMP223.PROD.OUTLOOK.COM (2603:10b6:806:3e0::12) by PH0P223MB5678.NAMP223.PROD.OUTLOOK.COM with HTTPS; Thu, 10 Oct 2024 16:08:09 +0000',
    'from BN9PR03CA0123.namprd03.prod.outlook.com (2603:10b6:408:fe::8) by SA1P223MB1234.NAMP223.PROD.OUTLOOK.COM (2603:10b6:806:3e0::12) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8048.17; Thu, 10 Oct 2024 16:08:08 +0000',
    'from BN2PEPF000044A9.namprd04.prod.outlook.com (2603:10b6:408:fe:cafe::5e) by BN9PR03CA0123.outlook.office365.com (2603:10b6:408:fe::8) with Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8048.17 via Frontend Transport; Thu, 10 Oct 2024 16:08:08 +0000',
    unfold(MTA_FIELDS.find(([name]) => name === 'Exchange Online, TLS')![1]),
    'from [192.168.1.20] (helo=laptop) by mail.example.com with esmtpsa (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) id 1sz7Xp; Thu, 10 Oct 2024 16:08:06 +0000',
  ];
  // Documentation addresses stand for public ones here, as --allow-private makes them.
  const hop = sendingHop(fields, true)!;
  assert.deepEqual([hop.position, hop.ip, hop.helo, hop.tls], [4, '203.0.113.5', 'mail.example.com', 'tls']);
  // Without it the real sender is out of reach, and the provider's own hop is never taken for it.
  assert.equal(sendingHop(fields, false), undefined);
});

test('mail sent through the same provider (Google Workspace to Gmail) enters at the provider\'s own outbound server', () => {
  const fields = [unfold(MTA_FIELDS.find(([name]) => name === 'Gmail from Google')![1]), 'by 2002:a05:6a20:3d84:b0:1d9:1234:5678 with SMTP id ab12csp345678pzb; Thu, 10 Oct 2024 09:08:07 -0700 (PDT)'];
  assert.equal(sendingHop(fields, false)?.ip, '209.85.220.41');
});

test('a private client is the receiver\'s own hop unless private addresses are allowed', () => {
  const fields = ['from filter.example.net (filter.example.net [10.0.0.7]) by mx2.example.net with ESMTP id 1; Thu, 10 Oct 2024 16:08:08 +0000'];
  assert.equal(sendingHop(fields, false), undefined);
  assert.equal(sendingHop(fields, true)?.ip, '10.0.0.7');
});

test('Authentication-Results: the authserv-id and each method\'s result and properties, comments dropped', () => {
  const reported = parseAuthenticationResults('mx.google.com; dkim=pass header.i=@example.com header.s=mail2026 header.b=AbC123; spf=pass (google.com: domain of bounces@example.com designates 203.0.113.5 as permitted sender) smtp.mailfrom=bounces@example.com; dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com');
  assert.equal(reported?.authservId, 'mx.google.com');
  assert.deepEqual(reported?.results.map(r => [r.method, r.result]), [['dkim', 'pass'], ['spf', 'pass'], ['dmarc', 'pass']]);
  assert.equal(reported?.results[1]?.properties['smtp.mailfrom'], 'bounces@example.com');
});

test('ARC-Authentication-Results: the instance first; without one it is not read', () => {
  assert.equal(parseAuthenticationResults('i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; arc=none', true)?.instance, 1);
  assert.equal(parseAuthenticationResults('mx.microsoft.com 1; spf=pass', true), undefined);
});
