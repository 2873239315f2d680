// PHP 8.4 deprecates implicitly nullable parameters ("Foo $x = null" without "?Foo"): list them.
// node phpnullable.js MODULES_DIR FILE...   exit 1 when one is found, 2 when a file does not parse.
const {Engine} = require(process.argv[2] + '/node_modules/php-parser');
const fs = require('fs');
let found = 0, broken = 0;
function walk(node, visit) {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) { node.forEach(n => walk(n, visit)); return; }
  if (node.kind) visit(node);
  for (const key of Object.keys(node)) if (key !== 'loc') walk(node[key], visit);
}
function admitsNull(type) {
  if (type.kind === 'uniontype') return type.types.some(admitsNull);
  const name = (type.name || '').toLowerCase();
  return name === 'mixed' || name === 'null';
}
for (const f of process.argv.slice(3)) {
  const engine = new Engine({parser: {version: '8.1', suppressErrors: false}, ast: {withPositions: true}});
  let ast;
  try { ast = engine.parseCode(fs.readFileSync(f, 'utf8'), f); } catch (e) { broken++; console.log(f + ': ' + e.message); continue; }
  walk(ast, n => {
    if (n.kind === 'parameter' && n.type && !n.nullable && n.value && n.value.kind === 'nullkeyword' && !admitsNull(n.type)) {
      found++;
      console.log(f + ':' + n.loc.start.line + ': $' + (n.name && n.name.name) + ' is implicitly nullable');
    }
  });
}
process.exit(broken ? 2 : (found ? 1 : 0));
