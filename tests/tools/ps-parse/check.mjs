// Parses PowerShell files with tree-sitter-powershell and fails on any ERROR
// or MISSING node, except the one form the grammar does not know:
// `-Name:$value` (a command parameter joined to its argument by a colon).
// Usage: node check.mjs FILE... ; exit 0 all parse, 1 a file does not,
// 77 (ctest SKIP_RETURN_CODE) the packages are not installed (npm ci here).
import { readFileSync } from 'node:fs';

let Parser, PowerShell;
try {
    Parser = (await import('tree-sitter')).default;
    PowerShell = (await import('tree-sitter-powershell/bindings/node/index.js')).default;
} catch (e) {
    console.error(`ps-parse: tree-sitter or tree-sitter-powershell is not installed (${e.message.split('\n')[0]});` +
                  ` run: npm ci --prefix ${new URL('.', import.meta.url).pathname}`);
    process.exit(77);
}

const parser = new Parser();
parser.setLanguage(PowerShell);

// The allowance, exactly: an ERROR node whose whole text is `-Name:` directly
// followed by a variable, as in `-Confirm:$false`.
const colonParameter = /^-[A-Za-z][A-Za-z0-9]*:$/;
function allowed(node, text) {
    if (node.type !== 'ERROR') return false;
    const own = text.slice(node.startIndex, node.endIndex);
    return colonParameter.test(own) && text[node.endIndex] === '$';
}

function problems(text) {
    const tree = parser.parse(text, null, { bufferSize: Math.max(32 * 1024, text.length * 2) });
    const out = [];
    const walk = (node) => {
        if (node.isMissing) out.push({ node, what: `MISSING ${node.type}` });
        else if (node.type === 'ERROR' && !allowed(node, text)) out.push({ node, what: 'ERROR' });
        for (const child of node.children) walk(child);
    };
    walk(tree.rootNode);
    return out;
}

const files = process.argv.slice(2);
if (files.length === 0) {
    console.error('usage: node check.mjs FILE...');
    process.exit(2);
}
let failed = 0;
for (const file of files) {
    let text = readFileSync(file, 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const found = problems(text);
    if (found.length === 0) continue;
    failed++;
    for (const { node, what } of found.slice(0, 5)) {
        const p = node.startPosition;
        const snippet = text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 60)).replace(/\r?\n/g, '\\n');
        console.error(`${file}:${p.row + 1}:${p.column + 1}: ${what}: ${snippet}`);
    }
}
console.log(`ps-parse: ${files.length - failed} of ${files.length} files parse`);
process.exit(failed ? 1 : 0);
