// check.js drives an Odoo server (the erpsync sandbox, or a real Odoo) through
// @fernandoslim/odoo-jsonrpc, a widely used JSON-RPC client, exactly as an
// application would, and exits non-zero on the first failed call or on any
// mismatch.
//
// Environment: ODOO_URL (such as http://127.0.0.1:8069), ODOO_DB, ODOO_USER,
// ODOO_API_KEY. The database must hold the products CHECK-1 (list price 19.99)
// and CHECK-2 (list price 0.10) in its company currency, 7 units of CHECK-1,
// 2 of them reserved, at the internal location WH/Stock, the payment terms
// NET30 and the pricelist WHOLESALE.
'use strict';

const OdooJSONRpc = require('@fernandoslim/odoo-jsonrpc').default;

const failures = [];

function expect(ok, what) {
  if (!ok) {
    failures.push(what);
  }
}

function config() {
  const names = ['ODOO_URL', 'ODOO_DB', 'ODOO_USER', 'ODOO_API_KEY'];
  const missing = names.filter((k) => !process.env[k]);
  if (missing.length > 0) {
    throw new Error(`missing environment: ${missing.join(', ')}`);
  }
  const url = new URL(process.env.ODOO_URL);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return {
    baseUrl: `${url.protocol}//${url.hostname}`,
    port: Number(port),
    db: process.env.ODOO_DB,
    username: process.env.ODOO_USER,
    apiKey: process.env.ODOO_API_KEY,
  };
}

async function checkProducts(odoo) {
  const products = await odoo.searchRead(
    'product.product',
    [['default_code', 'in', ['CHECK-1', 'CHECK-2']]],
    ['default_code', 'list_price'],
    { order: 'default_code asc', limit: 10 },
  );
  expect(products.length === 2, `search_read products: got ${products.length}, want 2`);
  const [first, second] = products;
  expect(first && first.default_code === 'CHECK-1' && first.list_price === 19.99,
    `CHECK-1 read as ${JSON.stringify(first)}`);
  expect(second && second.default_code === 'CHECK-2' && second.list_price === 0.1,
    `CHECK-2 read as ${JSON.stringify(second)}`);
  return products;
}

async function checkStock(odoo, products) {
  const locations = await odoo.searchRead('stock.location', [['usage', '=', 'internal']],
    ['complete_name'], {});
  const stock = locations.find((l) => l.complete_name === 'WH/Stock');
  expect(stock !== undefined, `internal locations read as ${JSON.stringify(locations)}`);
  if (stock === undefined) {
    return;
  }
  const quants = await odoo.searchRead('stock.quant',
    [['product_id', '=', products[0].id], ['location_id', 'in', [stock.id]]],
    ['quantity', 'reserved_quantity', 'location_id'], { order: 'write_date asc, id asc' });
  expect(quants.length === 1 && quants[0].quantity === 7 && quants[0].reserved_quantity === 2 &&
    quants[0].location_id[0] === stock.id,
  `CHECK-1 quants read as ${JSON.stringify(quants)}`);
}

async function checkPartner(odoo) {
  const partnerId = await odoo.create('res.partner',
    { name: 'Client Check', email: 'check@example.com' });
  expect(Number.isInteger(partnerId) && partnerId > 0, `create res.partner returned ${partnerId}`);

  const ids = await odoo.search('res.partner', [['email', '=ilike', 'CHECK@example.com']]);
  expect(ids.includes(partnerId), `search res.partner by e-mail returned ${JSON.stringify(ids)}`);
  return partnerId;
}

async function checkOrder(odoo, partnerId, products) {
  const orderId = await odoo.create('sale.order', {
    partner_id: partnerId,
    client_order_ref: 'clientcheck:1',
    order_line: [
      [0, 0, {
        product_id: products[0].id, product_uom_qty: 2, price_unit: 19.99, name: 'Check one',
      }],
      [0, 0, { product_id: products[1].id, product_uom_qty: 3, price_unit: 0.1 }],
    ],
  });
  expect(Number.isInteger(orderId) && orderId > 0, `create sale.order returned ${orderId}`);

  const confirmed = await odoo.action('sale.order', 'action_confirm', [orderId]);
  expect(confirmed === true, `action_confirm returned ${JSON.stringify(confirmed)}`);

  const [order] = await odoo.read('sale.order', [orderId], ['name', 'state', 'partner_id',
    'client_order_ref', 'amount_total', 'order_line', 'currency_id']);
  expect(order !== undefined, 'read sale.order returned nothing');
  if (order === undefined) {
    return;
  }
  expect(/^S\d{5}$/.test(order.name), `order name ${order.name}`);
  expect(order.state === 'sale', `order state ${order.state}, want sale`);
  expect(Array.isArray(order.partner_id) && order.partner_id[0] === partnerId &&
    order.partner_id[1] === 'Client Check',
  `order partner_id ${JSON.stringify(order.partner_id)}`);
  expect(order.client_order_ref === 'clientcheck:1',
    `order client_order_ref ${order.client_order_ref}`);
  expect(order.amount_total === 40.28, `order amount_total ${order.amount_total}, want 40.28`);
  expect(order.order_line.length === 2, `order has ${order.order_line.length} lines, want 2`);

  const lines = await odoo.searchRead('sale.order.line', [['order_id', '=', orderId]],
    ['product_id', 'product_uom_qty', 'price_unit', 'name'], { order: 'id asc' });
  expect(lines.length === 2 && lines[0].price_unit === 19.99 && lines[1].price_unit === 0.1 &&
    lines[0].product_uom_qty === 2 && lines[0].name === 'Check one',
  `order lines read as ${JSON.stringify(lines)}`);
  return order;
}

async function checkTerms(odoo, partnerId) {
  const [net30] = await odoo.search('account.payment.term', [['name', '=', 'NET30']]);
  const [wholesale] = await odoo.search('product.pricelist', [['name', '=', 'WHOLESALE']]);
  expect(Number.isInteger(net30) && Number.isInteger(wholesale),
    `payment terms NET30 ${net30}, pricelist WHOLESALE ${wholesale}`);

  const written = await odoo.update('res.partner', partnerId, {
    credit_limit: 2500, use_partner_credit_limit: true,
    property_payment_term_id: net30, property_product_pricelist: wholesale,
  });
  expect(written === true, `write res.partner terms returned ${written}`);
  const [partner] = await odoo.read('res.partner', [partnerId], ['credit_limit',
    'use_partner_credit_limit', 'property_payment_term_id', 'property_product_pricelist']);
  expect(partner && partner.credit_limit === 2500 && partner.use_partner_credit_limit === true &&
    partner.property_payment_term_id[0] === net30 &&
    partner.property_payment_term_id[1] === 'NET30' &&
    partner.property_product_pricelist[0] === wholesale,
  `partner terms read as ${JSON.stringify(partner)}`);
}

async function checkCreditNote(odoo, order, products) {
  const moveId = await odoo.create('account.move', {
    move_type: 'out_refund',
    partner_id: order.partner_id[0],
    currency_id: order.currency_id[0],
    ref: 'clientcheck:1:refund:1',
    invoice_origin: order.name,
    invoice_line_ids: [[0, 0, { product_id: products[0].id, quantity: 1, price_unit: 19.99 }]],
  });
  expect(Number.isInteger(moveId) && moveId > 0, `create account.move returned ${moveId}`);

  await odoo.action('account.move', 'action_post', [moveId]);
  const [move] = await odoo.read('account.move', [moveId],
    ['name', 'state', 'move_type', 'amount_total', 'invoice_origin']);
  expect(move && move.state === 'posted' && move.move_type === 'out_refund' &&
    move.amount_total === 19.99 && move.invoice_origin === order.name && move.name !== '/',
  `credit note read as ${JSON.stringify(move)}`);

  const found = await odoo.search('account.move',
    [['move_type', '=', 'out_refund'], ['ref', '=', 'clientcheck:1:refund:1']]);
  expect(found.length === 1 && found[0] === moveId,
    `search account.move by ref returned ${JSON.stringify(found)}`);
}

async function checkCancel(odoo, partnerId, products) {
  const orderId = await odoo.create('sale.order', {
    partner_id: partnerId,
    client_order_ref: 'clientcheck:2',
    order_line: [[0, 0, { product_id: products[1].id, product_uom_qty: 1 }]],
  });
  await odoo.action('sale.order', 'action_confirm', [orderId]);

  const wizard = await odoo.call_kw('sale.order', 'action_cancel', [[orderId]]);
  expect(wizard && wizard.res_model === 'sale.order.cancel',
    `action_cancel without context returned ${JSON.stringify(wizard)}`);
  const cancelled = await odoo.call_kw('sale.order', 'action_cancel', [[orderId]],
    { context: { disable_cancel_warning: true } });
  expect(cancelled === true, `action_cancel returned ${JSON.stringify(cancelled)}`);

  const [order] = await odoo.read('sale.order', [orderId], ['state']);
  expect(order && order.state === 'cancel', `cancelled order read as ${JSON.stringify(order)}`);
}

async function checkErrors(odoo, cfg) {
  let message = '';
  try {
    await odoo.create('sale.order', { client_order_ref: 'clientcheck:no-partner' });
  } catch (err) {
    message = String(err && err.message);
  }
  expect(message.includes('partner_id'), `create without partner failed with "${message}"`);

  const intruder = new OdooJSONRpc({ ...cfg, apiKey: 'wrong-key' });
  let refused = false;
  try {
    await intruder.searchRead('sale.order', [], ['name'], { limit: 1 });
  } catch (err) {
    refused = true;
  }
  expect(refused, 'a wrong API key was accepted');
}

async function main() {
  const cfg = config();
  const odoo = new OdooJSONRpc(cfg);
  const auth = await odoo.connect();
  expect(Number.isInteger(auth.uid) && auth.uid > 0,
    `authenticate returned ${JSON.stringify(auth)}`);

  const products = await checkProducts(odoo);
  const partnerId = await checkPartner(odoo);
  await checkTerms(odoo, partnerId);
  if (products.length === 2) {
    await checkStock(odoo, products);
    const order = await checkOrder(odoo, partnerId, products);
    if (order !== undefined) {
      await checkCreditNote(odoo, order, products);
    }
    await checkCancel(odoo, partnerId, products);
  }
  await checkErrors(odoo, cfg);

  if (failures.length > 0) {
    for (const f of failures) {
      console.error(`mismatch: ${f}`);
    }
    process.exit(1);
  }
  console.log('odoo client check passed');
}

main().catch((err) => {
  console.error(`odoo client check failed: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
