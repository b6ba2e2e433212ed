#!/usr/bin/env node
// Peer converter for the benchmark: the short script a mail administrator
// would write with Node's `mailparser` (npm). Reads one message on stdin
// and prints the same payload keys as `mail2webhook --dry-run` (see
// docs/payload.md). The parser options switch off work the payload does
// not need (HTML->text, text->HTML, rewriting cid: links to data: URLs),
// so the peer is measured at its fastest for this output.
'use strict';

const path = require('path');
const { simpleParser } = require(path.join(__dirname, '..', 'node_modules', 'mailparser'));

const TRACE = new Set(['received', 'received-spf', 'dkim-signature', 'authentication-results']);

function unfold(value) {
    return value.replace(/\r?\n/g, '').trim();
}

function headersOf(headerLines) {
    const out = {};
    const keys = new Map();
    for (const { line } of headerLines) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = unfold(line.slice(colon + 1));
        const lower = name.toLowerCase();
        const key = keys.get(lower);
        if (key === undefined) {
            keys.set(lower, name);
            out[name] = TRACE.has(lower) || lower.startsWith('arc-') ? [value] : value;
        } else {
            if (!Array.isArray(out[key])) out[key] = [out[key]];
            out[key].push(value);
        }
    }
    return out;
}

function flatten(list, out) {
    for (const a of list) {
        if (a.group) flatten(a.group, out);
        else if (a.address) out.push({ name: a.name ? a.name : null, email: a.address });
    }
    return out;
}

function addressList(value) {
    if (!value) return [];
    const objects = Array.isArray(value) ? value : [value];
    const out = [];
    for (const o of objects) flatten(o.value || [], out);
    return out;
}

function rawHeader(headerLines, lower) {
    const h = headerLines.find(l => l.key === lower);
    if (!h) return '';
    return unfold(h.line.slice(h.line.indexOf(':') + 1));
}

const EXT = {
    'text/plain': '.txt', 'text/html': '.html', 'image/png': '.png', 'image/jpeg': '.jpg',
    'application/pdf': '.pdf', 'message/rfc822': '.eml', 'text/calendar': '.ics'
};

async function main() {
    const mail = await simpleParser(process.stdin, {
        keepCidLinks: true,
        skipHtmlToText: true,
        skipTextToHtml: true,
        skipImageLinks: true,
        skipTextLinks: true
    });
    const html = typeof mail.html === 'string' ? mail.html : '';
    const inlines = [];
    const attachments = [];
    mail.attachments.forEach((a, i) => {
        const type = (a.contentType || 'application/octet-stream').toLowerCase();
        const name = a.filename || `part-${i + 1}${EXT[type] || '.bin'}`;
        const content = a.content.toString('base64');
        const cid = a.cid || '';
        if (cid && (a.contentDisposition !== 'attachment' || html.includes('cid:' + cid))) {
            inlines.push({ type, name, content, cid });
        } else {
            attachments.push({ type, name, content, encoding: 'binary' });
        }
    });
    const from = addressList(mail.from);
    const date = rawHeader(mail.headerLines, 'date');
    const rp = rawHeader(mail.headerLines, 'return-path');
    const payload = {
        headers: headersOf(mail.headerLines),
        to: addressList(mail.to),
        from: from.length ? { name: from[0].name || '', email: from[0].email } : { name: '', email: '' },
        subject: mail.subject || '',
        'message-id': rawHeader(mail.headerLines, 'message-id'),
        date,
        'return-path': rp ? { name: null, email: rp.replace(/^<|>$/g, '') } : null,
        timestamp: mail.date instanceof Date && !isNaN(mail.date) ? Math.floor(mail.date.getTime() / 1000) : null,
        text: (mail.text || '').replace(/\r\n/g, '\n'),
        html,
        inlines,
        attachments,
        cc: addressList(mail.cc),
        'reply-to': addressList(mail.replyTo),
        envelope: { sender: null, recipients: [], 'original-recipient': null, 'queue-id': null }
    };
    const json = JSON.stringify(payload) + '\n';
    await new Promise((resolve, reject) =>
        process.stdout.write(json, err => (err ? reject(err) : resolve())));
}

main().catch(err => {
    process.stderr.write(`node_mailparser_convert: ${err && err.stack || err}\n`);
    process.exit(1);
});
