// The parse check of the PowerShell certtool writes (ctest "ps-parse"):
// parses each file with tree-sitter-powershell and fails on any ERROR or
// MISSING node.
//
// No exception is made. The `-Name:$value` form (-Confirm:$false) was said not
// to be known by the grammar; tree-sitter-powershell 0.26.4 (pinned in
// package.json) parses it, and fixtures/good.ps1 holds it, so a version that
// does not fails --self-test. The one form it does not know, a bare-word list
// as an argument (-Type Default,Internal), certtool no longer writes: it
// quotes each value (-Type 'Default','Internal'), which PowerShell reads the same.
//
// Usage: node check.mjs (FILE | DIR)...   every .ps1 file, folders searched
//        node check.mjs --self-test       fixtures/good.ps1 parses, each fixtures/bad-*.ps1 does not
// Exit: 0 all parse; 1 a file does not (each problem printed as file:line:column);
// 2 bad usage; 77 (ctest SKIP_RETURN_CODE) the packages are not installed:
// npm ci --prefix tests/tools/ps-parse
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
let Parser, PowerShell;
try {
    Parser = (await import('tree-sitter')).default;
    PowerShell = (await import('tree-sitter-powershell/bindings/node/index.js')).default;
} catch (e) {
    console.error(`ps-parse: SKIPPED: tree-sitter and tree-sitter-powershell are not installed ` +
                  `(${e.message.split('\n')[0]}); run: npm ci --prefix ${here}`);
    process.exit(77);
}

const parser = new Parser();
parser.setLanguage(PowerShell);

// ERROR and MISSING nodes, in document order.
function problems(text) {
    const tree = parser.parse(text, null, { bufferSize: Math.max(64 * 1024, text.length * 2) });
    const out = [];
    const walk = (node) => {
        if (node.isMissing) out.push({ node, what: `MISSING ${JSON.stringify(node.type)}` });
        else if (node.type === 'ERROR') out.push({ node, what: 'ERROR' });
        for (const child of node.children) walk(child);
    };
    walk(tree.rootNode);
    return out;
}

function readScript(file) {
    const text = readFileSync(file, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function report(file, found) {
    for (const { node, what } of found.slice(0, 5)) {
        const p = node.startPosition;
        const text = node.text.slice(0, 60).replace(/\r?\n/g, '\\n');
        console.error(`${file}:${p.row + 1}:${p.column + 1}: ${what}: ${text}`);
    }
}

function scripts(path) {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path).sort().flatMap((name) => {
        const full = join(path, name);
        return statSync(full).isDirectory() ? scripts(full) : name.endsWith('.ps1') ? [full] : [];
    });
}

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--self-test') {
    const fixtures = join(here, 'fixtures');
    let wrong = 0;
    for (const name of readdirSync(fixtures).sort()) {
        const found = problems(readScript(join(fixtures, name)));
        const bad = name.startsWith('bad-');
        if (bad === (found.length > 0)) continue;
        wrong++;
        if (bad) console.error(`ps-parse self-test: fixtures/${name} has a syntax error but parsed`);
        else report(`fixtures/${name}`, found);
    }
    console.log(`ps-parse self-test: ${wrong === 0 ? 'ok' : `${wrong} fixture(s) wrong`}`);
    process.exit(wrong ? 1 : 0);
}
if (args.length === 0 || args.some((a) => a.startsWith('-'))) {
    console.error('usage: node check.mjs (FILE | DIR)... | --self-test');
    process.exit(2);
}
const files = args.flatMap(scripts);
if (files.length === 0) {
    console.error('ps-parse: no .ps1 file found in ' + args.join(' '));
    process.exit(1);
}
let failed = 0;
for (const file of files) {
    const found = problems(readScript(file));
    if (found.length === 0) continue;
    failed++;
    report(file, found);
}
console.log(`ps-parse: ${files.length - failed} of ${files.length} files parse`);
process.exit(failed ? 1 : 0);
