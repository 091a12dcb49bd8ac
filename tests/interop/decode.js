#!/usr/bin/env node
/*
 * decode.js: reads VietQR payloads on stdin, one per line, and prints one
 * JSON object per line with the fields as vietnam-qr-pay (an independent
 * decoder, pinned in package.json) reads them. Used by run.sh.
 */
'use strict';
const { QRPay } = require('vietnam-qr-pay');
const readline = require('readline');

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
    const qr = new QRPay(line);
    const out = {
        isValid: qr.isValid,
        bankBin: qr.consumer.bankBin ?? null,
        bankNumber: qr.consumer.bankNumber ?? null,
        service: qr.provider.service ?? null,
        amount: qr.amount ?? null,
        purpose: qr.additionalData.purpose ?? null,
        initMethod: qr.initMethod ?? null,
        guid: qr.provider.guid ?? null,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
});
