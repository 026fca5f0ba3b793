// check.js drives a Shopify shop's Admin API (the erpsync sandbox, or a real
// shop) exactly as an app would, through Shopify's own Node library
// (@shopify/shopify-api): the client credentials grant gets a token, the
// Admin GraphQL client reads the shop, pages
// orders, writes a metafield, sets stock and a price, updates a customer and
// its metafields, creates a draft product, ships part of an order and
// cancels another; the REST client pages
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
// at least five orders of CHECK-1 by a customer, no product CHECK-DRAFT, and
// must place an order once a webhook is registered.
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
  return seen;
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

const CUSTOMER = `query Customer($id: ID!) {
  customer(id: $id) {
    id firstName lastName updatedAt defaultEmailAddress { emailAddress }
    defaultAddress { city countryCodeV2 }
    terms: metafields(first: 5, namespace: "erpsync") { nodes { key value type } }
  }
}`;

// checkCustomer updates the buyer of order with customerUpdate and writes
// its terms with metafieldsSet, then finds it by e-mail and reads it back.
async function checkCustomer(gql, order) {
  const res = await gql.request(`query Buyer($id: ID!) { order(id: $id) { customer { id } } }`,
    { variables: { id: order.id } });
  const customer = res.data.order.customer;
  expect(customer && /^gid:\/\/shopify\/Customer\/\d+$/.test(customer.id),
    `order customer ${JSON.stringify(customer)}`);
  if (!customer) {
    return;
  }

  const upd = await gql.request(`mutation Update($input: CustomerInput!,
      $m: [MetafieldsSetInput!]!) {
    customerUpdate(input: $input) { customer { id lastName } userErrors { field message } }
    metafieldsSet(metafields: $m) { metafields { key } userErrors { field message code } }
  }`, {
    variables: {
      input: {
        id: customer.id, lastName: 'Checked',
        addresses: [{ address1: '1 Check St', city: 'Porto', countryCode: 'PT', zip: '4000' }],
      },
      m: [
        { ownerId: customer.id, namespace: 'erpsync', key: 'credit_limit',
          type: 'number_integer', value: '250000' },
        { ownerId: customer.id, namespace: 'erpsync', key: 'payment_terms',
          type: 'single_line_text_field', value: 'NET30' },
      ],
    },
  });
  expect(upd.data.customerUpdate.userErrors.length === 0 &&
    upd.data.customerUpdate.customer.lastName === 'Checked' &&
    upd.data.metafieldsSet.userErrors.length === 0,
  `customerUpdate and metafieldsSet ${JSON.stringify(upd.data)}`);

  const found = await gql.request(`query Find($q: String!) {
    customers(first: 2, query: $q) { nodes { id } }
  }`, { variables: { q: 'email:"CHECK@example.test"' } });
  const ids = found.data.customers.nodes.map((c) => c.id);
  expect(ids.length === 1 && ids[0] === customer.id, `customers by e-mail ${ids}`);

  const read = await gql.request(CUSTOMER, { variables: { id: customer.id } });
  const c = read.data.customer;
  const terms = Object.fromEntries(c.terms.nodes.map((m) => [m.key, m.value]));
  expect(c.lastName === 'Checked' && c.defaultAddress.city === 'Porto' &&
    terms.credit_limit === '250000' && terms.payment_terms === 'NET30' &&
    !Number.isNaN(Date.parse(c.updatedAt)), `customer read back ${JSON.stringify(c)}`);

  const del = await gql.request(`mutation Delete($m: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $m) { deletedMetafields { key } userErrors { message } }
  }`, {
    variables: { m: [{ ownerId: customer.id, namespace: 'erpsync', key: 'payment_terms' }] },
  });
  expect(del.data.metafieldsDelete.deletedMetafields[0].key === 'payment_terms',
    `metafieldsDelete ${JSON.stringify(del.data)}`);
}

// checkDraft creates a draft product of one variant with productSet.
async function checkDraft(gql) {
  const res = await gql.request(`mutation Draft($input: ProductSetInput!) {
    productSet(input: $input, synchronous: true) {
      product { id status variants(first: 1) { nodes { sku price } } }
      userErrors { field message code }
    }
  }`, {
    variables: {
      input: {
        title: 'Check draft', status: 'DRAFT',
        productOptions: [{ name: 'Title', values: [{ name: 'Default Title' }] }],
        variants: [{
          sku: 'CHECK-DRAFT', price: '7.25',
          optionValues: [{ optionName: 'Title', name: 'Default Title' }],
        }],
      },
    },
  });
  const p = res.data.productSet;
  const v = p.product && p.product.variants.nodes[0];
  expect(p.userErrors.length === 0 && p.product.status === 'DRAFT' && v.sku === 'CHECK-DRAFT' &&
    Number(v.price) === 7.25, `productSet ${JSON.stringify(p)}`);
}

// checkFulfillment ships one unit of order's first line with
// fulfillmentCreate, and reads what is left to ship.
async function checkFulfillment(gql, order) {
  const FOS = `query FOs($id: ID!) {
    order(id: $id) {
      fulfillmentOrders(first: 5) {
        nodes {
          id status
          lineItems(first: 10) { nodes { id remainingQuantity lineItem { sku } } }
        }
      }
    }
  }`;
  const before = await gql.request(FOS, { variables: { id: order.id } });
  const fo = before.data.order.fulfillmentOrders.nodes[0];
  const line = fo.lineItems.nodes[0];
  const res = await gql.request(`mutation Ship($f: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $f) {
      fulfillment { id status trackingInfo(first: 1) { company number url } }
      userErrors { field message }
    }
  }`, {
    variables: {
      f: {
        lineItemsByFulfillmentOrder: [{
          fulfillmentOrderId: fo.id, fulfillmentOrderLineItems: [{ id: line.id, quantity: 1 }],
        }],
        trackingInfo: { company: 'DHL', number: 'CHECK-TRK', url: 'https://track.example/1' },
        notifyCustomer: false,
      },
    },
  });
  const f = res.data.fulfillmentCreate;
  expect(f.userErrors.length === 0 && f.fulfillment.status === 'SUCCESS' &&
    f.fulfillment.trackingInfo[0].number === 'CHECK-TRK',
  `fulfillmentCreate ${JSON.stringify(f)}`);

  const after = await gql.request(FOS, { variables: { id: order.id } });
  const left = after.data.order.fulfillmentOrders.nodes[0];
  expect(left.status === 'IN_PROGRESS' &&
    left.lineItems.nodes[0].remainingQuantity === line.remainingQuantity - 1,
  `fulfillment order after shipping ${JSON.stringify(left)}`);
}

// checkCancel cancels order without a refund, and reads it back.
async function checkCancel(gql, order) {
  const res = await gql.request(`mutation Cancel($id: ID!) {
    orderCancel(orderId: $id, reason: OTHER, refund: false, restock: false,
        notifyCustomer: false, staffNote: "cancelled by the client check") {
      job { id done } orderCancelUserErrors { code field message }
    }
  }`, { variables: { id: order.id } });
  const c = res.data.orderCancel;
  expect(c.orderCancelUserErrors.length === 0 && c.job && c.job.id,
    `orderCancel ${JSON.stringify(c)}`);

  const read = await gql.request(`query Read($id: ID!) {
    order(id: $id) { cancelledAt cancelReason refunds(first: 5) { id } }
  }`, { variables: { id: order.id } });
  const o = read.data.order;
  expect(o.cancelledAt && o.cancelReason === 'OTHER' && o.refunds.length === 0,
    `cancelled order ${JSON.stringify(o)}`);

  const again = await gql.request(`mutation Cancel($id: ID!) {
    orderCancel(orderId: $id, reason: OTHER, refund: false, restock: false) {
      orderCancelUserErrors { code }
    }
  }`, { variables: { id: order.id } });
  expect(again.data.orderCancel.orderCancelUserErrors.length === 1,
    `cancelling again ${JSON.stringify(again.data)}`);
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
    const orders = await checkOrders(gql);
    const order = orders[0];
    await checkMetafield(gql, order);
    await checkCustomer(gql, order);
    await checkDraft(gql);
    await checkFulfillment(gql, orders[1]);
    await checkCancel(gql, orders[2]);
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
