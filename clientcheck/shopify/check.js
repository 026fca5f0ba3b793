// check.js drives a Shopify shop's Admin API (the erpsync sandbox, or a real
// shop) exactly as an app would, through Shopify's own Node library
// (@shopify/shopify-api): the client credentials grant gets a token, the
// Admin GraphQL client reads the shop, pages
// orders, writes a metafield, sets stock and a price; the REST client pages
// the legacy orders endpoint by its Link header and meets its call limit; the
// webhook registry registers orders/create for a local receiver, and
// shopify.webhooks.validate checks what the shop delivers there. It exits
// non-zero on the first failed call or any mismatch.
//
// Environment: SHOPIFY_URL (the sandbox's https origin), SHOPIFY_SHOP (the
// shop's myshopify.com domain, which the library requires), SHOPIFY_ACCESS_TOKEN,
// SHOPIFY_CLIENT_ID, SHOPIFY_API_SECRET (the app's client secret, which signs
// webhooks and is exchanged for tokens with the client id),
// SHOPIFY_API_VERSION. The shop must hold the variants CHECK-1 (19.99, no
// compare-at price) and CHECK-2, the location WH-EAST with no CHECK-1 stock,
// at least five orders, and must place an order once a webhook is registered.
'use strict';

const http = require('node:http');

// The library builds https://<shop>.myshopify.com URLs; the harness, not the
// library, points that host at the sandbox by wrapping fetch before the
// library's Node adapter takes it.
const sandbox = new URL(requireEnv('SHOPIFY_URL'));
const shopDomain = requireEnv('SHOPIFY_SHOP');
const realFetch = globalThis.fetch;
const hostsAsked = new Set();
globalThis.fetch = (input, init) => {
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
  hostsAsked.add(url.host);
  if (url.host === shopDomain) {
    url.protocol = sandbox.protocol;
    url.host = sandbox.host;
  }
  return realFetch(url, init);
};

require('@shopify/shopify-api/adapters/node');
const {
  shopifyApi, ApiVersion, DeliveryMethod, GraphqlQueryError, HttpResponseError,
  HttpThrottlingError, LogSeverity,
} = require('@shopify/shopify-api');

const failures = [];

function expect(ok, what) {
  if (!ok) {
    failures.push(what);
  }
}

function requireEnv(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`missing environment: ${name}`);
  }
  return v;
}

function api(token, receiverHost, secret = requireEnv('SHOPIFY_API_SECRET')) {
  return shopifyApi({
    apiKey: requireEnv('SHOPIFY_CLIENT_ID'),
    apiSecretKey: secret,
    adminApiAccessToken: token,
    isCustomStoreApp: Boolean(token),
    isEmbeddedApp: false,
    hostName: receiverHost,
    hostScheme: 'http',
    apiVersion: requireEnv('SHOPIFY_API_VERSION'),
    logger: { level: LogSeverity.Error },
  });
}

// checkGrant exchanges the app's client id and secret for a token, calls
// with it, and fails to with a wrong secret.
async function checkGrant() {
  const app = api(undefined, 'localhost');
  const { session } = await app.auth.clientCredentials({ shop: shopDomain });
  expect(/^shpat_/.test(session.accessToken) && session.expires > new Date(),
    `clientCredentials session ${session.accessToken && 'with a token'} expiring ` +
    `${session.expires}`);
  const res = await new app.clients.Graphql({ session }).request('{ shop { name } }');
  expect(res.data.shop.name, 'a granted token was refused');

  let err;
  try {
    await api(undefined, 'localhost', 'wrong-secret').auth.clientCredentials({ shop: shopDomain });
  } catch (e) {
    err = e;
  }
  expect(err instanceof HttpResponseError && err.response.code === 400 &&
    err.response.body.error === 'invalid_client',
  `a wrong client secret failed with ${err}`);
}

async function checkShop(gql) {
  const res = await gql.request(`{ shop { name myshopifyDomain currencyCode } }`);
  const shop = res.data.shop;
  expect(shop.myshopifyDomain === shopDomain, `shop domain ${shop.myshopifyDomain}`);
  expect(shop.currencyCode === 'EUR', `shop currency ${shop.currencyCode}`);
  const cost = res.extensions && res.extensions.cost;
  expect(cost && cost.throttleStatus && cost.throttleStatus.maximumAvailable > 0,
    `cost extension ${JSON.stringify(cost)}`);
}

const ORDERS = `query Orders($after: String, $query: String!) {
  orders(first: 2, after: $after, sortKey: UPDATED_AT, query: $query) {
    edges { cursor node { ...order } }
    pageInfo { hasNextPage endCursor }
  }
}
fragment order on Order {
  id number: legacyResourceId name
  total: totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 5) { nodes { sku quantity } }
}`;

async function checkOrders(gql) {
  const seen = [];
  let after = null;
  for (let page = 0; page < 20; page++) {
    const res = await gql.request(ORDERS, {
      variables: { after, query: "updated_at:>='2000-01-01T00:00:00Z'" },
    });
    const conn = res.data.orders;
    conn.edges.forEach((e) => seen.push(e.node));
    if (!conn.pageInfo.hasNextPage) {
      break;
    }
    after = conn.pageInfo.endCursor;
  }
  expect(seen.length >= 5, `paged ${seen.length} orders, want at least 5`);
  expect(new Set(seen.map((o) => o.id)).size === seen.length, 'an order was listed twice');
  const first = seen[0];
  expect(first && /^gid:\/\/shopify\/Order\/\d+$/.test(first.id), `order id ${first && first.id}`);
  expect(first && /^\d+\.\d+$/.test(first.total.shopMoney.amount),
    `order total ${JSON.stringify(first && first.total)}`);
  return first;
}

async function checkMetafield(gql, order) {
  const set = await gql.request(`mutation Set($m: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $m) { metafields { id key value } userErrors { field message code } }
  }`, {
    variables: {
      m: [{
        ownerId: order.id, namespace: 'erp', key: 'sales_order_id',
        type: 'single_line_text_field', value: 'SO-CHECK-1', compareDigest: null,
      }],
    },
  });
  const p = set.data.metafieldsSet;
  expect(p.userErrors.length === 0, `metafieldsSet errors ${JSON.stringify(p.userErrors)}`);

  const again = await gql.request(`mutation Set($m: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $m) { userErrors { code } }
  }`, {
    variables: {
      m: [{
        ownerId: order.id, namespace: 'erp', key: 'sales_order_id',
        type: 'single_line_text_field', value: 'SO-OTHER', compareDigest: null,
      }],
    },
  });
  const codes = again.data.metafieldsSet.userErrors.map((e) => e.code);
  expect(codes[0] === 'STALE_OBJECT', `second write with a null digest: ${codes}`);

  const read = await gql.request(`query Read($id: ID!) {
    order(id: $id) { erp: metafield(namespace: "erp", key: "sales_order_id") { value } }
  }`, { variables: { id: order.id } });
  expect(read.data.order.erp.value === 'SO-CHECK-1',
    `metafield read back ${JSON.stringify(read.data.order.erp)}`);
}

async function lookups(gql) {
  const res = await gql.request(`{
    productVariants(first: 5, query: "sku:CHECK-1 OR sku:'CHECK-2'") {
      nodes { id sku price compareAtPrice product { id } inventoryItem { id } }
    }
    locations(first: 10) { nodes { id name } }
  }`);
  const variants = Object.fromEntries(res.data.productVariants.nodes.map((v) => [v.sku, v]));
  const location = res.data.locations.nodes.find((l) => l.name === 'WH-EAST');
  expect(variants['CHECK-1'] && variants['CHECK-2'], `variants ${Object.keys(variants)}`);
  expect(location, 'location WH-EAST');
  return { variant: variants['CHECK-1'], location };
}

const SET_STOCK = `mutation Stock($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`;

function stockInput(variant, location, quantity, from) {
  return {
    name: 'available', reason: 'correction', referenceDocumentUri: 'erpsync://clientcheck',
    quantities: [{
      inventoryItemId: variant.inventoryItem.id, locationId: location.id, quantity,
      changeFromQuantity: from,
    }],
  };
}

async function checkStock(gql, { variant, location }) {
  const set = await gql.request(SET_STOCK, {
    variables: { key: 'check-stock-1', input: stockInput(variant, location, 5, null) },
  });
  const group = set.data.inventorySetQuantities.inventoryAdjustmentGroup;
  expect(group && group.changes[0].quantityAfterChange === 5 && group.changes[0].delta === 5,
    `inventorySetQuantities ${JSON.stringify(set.data)}`);

  const replay = await gql.request(SET_STOCK, {
    variables: { key: 'check-stock-1', input: stockInput(variant, location, 5, null) },
  });
  const again = replay.data.inventorySetQuantities.inventoryAdjustmentGroup;
  expect(again && again.id === group.id, 'a replayed idempotency key made a new adjustment');

  const stale = await gql.request(SET_STOCK, {
    variables: { key: 'check-stock-2', input: stockInput(variant, location, 9, 1) },
  });
  const codes = stale.data.inventorySetQuantities.userErrors.map((e) => e.code);
  expect(codes[0] === 'CHANGE_FROM_QUANTITY_STALE', `stale changeFromQuantity: ${codes}`);
}

async function checkPrice(gql, { variant }) {
  const res = await gql.request(`mutation Price($p: ID!, $v: [ProductVariantsBulkInput!]!) {
    productVariantsBulkUpdate(productId: $p, variants: $v) {
      productVariants { sku price } userErrors { field message }
    }
  }`, { variables: { p: variant.product.id, v: [{ id: variant.id, price: '21.50' }] } });
  const p = res.data.productVariantsBulkUpdate;
  expect(p.userErrors.length === 0 && p.productVariants[0].price === '21.50',
    `productVariantsBulkUpdate ${JSON.stringify(p)}`);
}

async function checkGraphQLErrors(gql) {
  let err;
  try {
    await gql.request('{ shop { nope } }');
  } catch (e) {
    err = e;
  }
  expect(err instanceof GraphqlQueryError && /doesn't exist on type 'Shop'/.test(err.message),
    `an unknown field failed with ${err}`);

  await fetch(new URL('/_sandbox/faults/next', sandbox), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ op: 'graphql/shop', kind: 'rate_limit', retry_after_seconds: 2 }),
  });
  err = undefined;
  try {
    await gql.request('{ shop { name } }');
  } catch (e) {
    err = e;
  }
  const body = err && err.body;
  const code = body && body.errors && body.errors.graphQLErrors &&
    body.errors.graphQLErrors[0].extensions.code;
  expect(err instanceof GraphqlQueryError && code === 'THROTTLED',
    `a throttled query failed with ${err} (${code})`);
}

async function checkAuthFailure(session) {
  const wrong = api('shpat_wrong_token', 'localhost');
  let err;
  try {
    await new wrong.clients.Graphql({ session }).request('{ shop { name } }');
  } catch (e) {
    err = e;
  }
  expect(err instanceof HttpResponseError && err.response.code === 401,
    `a wrong token failed in GraphQL with ${err && err.constructor.name}: ${err}`);

  err = undefined;
  try {
    await new wrong.clients.Rest({ session }).get({ path: 'orders' });
  } catch (e) {
    err = e;
  }
  expect(err instanceof HttpResponseError && err.response.code === 401 &&
    /Invalid API key or access token/.test(JSON.stringify(err.response.body)),
  `a wrong token failed in REST with ${err && err.constructor.name}: ${err}`);
}

async function checkREST(shopify, session) {
  const rest = new shopify.clients.Rest({ session });
  const ids = [];
  let query = { limit: 2, updated_at_min: '2000-01-01T00:00:00Z' };
  for (let page = 0; page < 20 && query; page++) {
    const res = await rest.get({ path: 'orders', query });
    res.body.orders.forEach((o) => ids.push(String(o.id)));
    expect(/^\d+\/40$/.test(res.headers['X-Shopify-Shop-Api-Call-Limit']),
      `call limit header ${res.headers['X-Shopify-Shop-Api-Call-Limit']}`);
    query = res.pageInfo && res.pageInfo.nextPage && res.pageInfo.nextPage.query;
  }
  expect(ids.length >= 5 && new Set(ids).size === ids.length, `REST paged ${ids}`);

  const one = await rest.get({ path: `orders/${ids[0]}` });
  expect(String(one.body.order.id) === ids[0] && typeof one.body.order.total_price === 'string',
    `REST order ${JSON.stringify(one.body.order).slice(0, 200)}`);

  let err;
  try {
    await rest.get({ path: 'orders/999999999' });
  } catch (e) {
    err = e;
  }
  expect(err instanceof HttpResponseError && err.response.code === 404,
    `an unknown REST order failed with ${err}`);

  err = undefined;
  for (let i = 0; i < 60 && !err; i++) {
    try {
      await rest.get({ path: `orders/${ids[0]}` });
    } catch (e) {
      err = e;
    }
  }
  expect(err instanceof HttpThrottlingError && err.response.retryAfter >= 1,
    `a burst of REST calls ended with ${err}`);
}

// receiver serves the webhook endpoint and resolves with the validation of
// the first delivery, and of a tampered copy of it.
function receiver(shopifyRef) {
  let done;
  const delivered = new Promise((resolve) => { done = resolve; });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const valid = await shopifyRef.current.webhooks.validate({
        rawBody, rawRequest: req, rawResponse: res,
      });
      const tampered = await shopifyRef.current.webhooks.validate({
        rawBody: rawBody.replace('"id"', '"id" '), rawRequest: req, rawResponse: res,
      });
      res.writeHead(200).end();
      done({ valid, tampered, body: JSON.parse(rawBody) });
    });
  });
  return { server, delivered };
}

async function checkWebhooks(shopify, ref, session, delivered) {
  shopify.webhooks.addHandlers({
    ORDERS_CREATE: { deliveryMethod: DeliveryMethod.Http, callbackUrl: '/webhooks' },
  });
  const result = await shopify.webhooks.register({ session });
  const created = result.ORDERS_CREATE || [];
  expect(created.length === 1 && created[0].success,
    `webhooks.register ${JSON.stringify(result)}`);

  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 15000).unref());
  const got = await Promise.race([delivered, timeout]);
  expect(got, 'no webhook delivered within 15 s');
  if (!got) {
    return;
  }
  expect(got.valid.valid && got.valid.topic === 'ORDERS_CREATE' &&
    got.valid.domain === shopDomain && got.valid.webhookId && got.valid.eventId &&
    got.valid.triggeredAt, `webhooks.validate ${JSON.stringify(got.valid)}`);
  expect(!got.tampered.valid && got.tampered.reason === 'invalid_hmac',
    `a tampered body validated as ${JSON.stringify(got.tampered)}`);
  expect(Number.isInteger(got.body.id) && got.body.order_number > 1000 &&
    Array.isArray(got.body.line_items) && typeof got.body.total_price === 'string',
  `webhook body ${JSON.stringify(got.body).slice(0, 200)}`);
}

async function main() {
  const ref = {};
  const { server, delivered } = receiver(ref);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const shopify = api(requireEnv('SHOPIFY_ACCESS_TOKEN'), `127.0.0.1:${server.address().port}`);
  ref.current = shopify;
  const session = shopify.session.customAppSession(shopDomain);
  const gql = new shopify.clients.Graphql({ session });

  try {
    await checkGrant();
    await checkShop(gql);
    const order = await checkOrders(gql);
    await checkMetafield(gql, order);
    const found = await lookups(gql);
    await checkStock(gql, found);
    await checkPrice(gql, found);
    await checkGraphQLErrors(gql);
    await checkAuthFailure(session);
    await checkREST(shopify, session);
    await checkWebhooks(shopify, ref, session, delivered);
  } finally {
    server.close();
  }
  expect(hostsAsked.has(shopDomain), `the library asked ${[...hostsAsked]}`);

  if (failures.length > 0) {
    console.error(`client check failed:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
  console.log(`shopify client check passed (${ApiVersion.October26} known to the library)`);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
