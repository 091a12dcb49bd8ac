#!/usr/bin/env node
/*
 * compare.js GEN.tsv DEC.jsonl: checks that every payload chopay encoded
 * (GEN.tsv from gen_payloads: payload, bin, account, service, dynamic,
 * amount, content;
 * empty amount or content = none) decodes in vietnam-qr-pay (DEC.jsonl from
 * decode.js) to the same fields. Last line: "N passed, N failed".
 */
'use strict';
const fs = require('fs');

const gen = fs.readFileSync(process.argv[2], 'utf8').split('\n')
    .filter((l) => l.length > 0);
const dec = fs.readFileSync(process.argv[3], 'utf8').split('\n')
    .filter((l) => l.length > 0);
let passed = 0, failed = 0;

if (gen.length !== dec.length) {
    console.log(`line count differs: ${gen.length} generated, ` +
                `${dec.length} decoded`);
    failed++;
}
for (let i = 0; i < Math.min(gen.length, dec.length); i++) {
    const [payload, bin, account, service, dynamic, amount, content] =
        gen[i].split('\t');
    const d = JSON.parse(dec[i]);
    const want = {
        isValid: true,
        bankBin: bin,
        bankNumber: account,
        service: service,
        amount: amount === '' ? null : amount,
        purpose: content === '' ? null : content,
        initMethod: dynamic === '1' ? '12' : '11',
        guid: 'A000000727',
    };
    const bad = Object.keys(want).filter((k) => want[k] !== d[k]);
    if (bad.length === 0) {
        passed++;
    } else {
        failed++;
        console.log(`MISMATCH ${payload}`);
        for (const k of bad)
            console.log(`  ${k}: chopay ${JSON.stringify(want[k])}, ` +
                        `vietnam-qr-pay ${JSON.stringify(d[k])}`);
    }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || passed === 0 ? 1 : 0);
