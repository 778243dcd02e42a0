/// The console's one page. Sections are shown by the script once it knows who signed in; every
/// control has a label, and everything works from the keyboard.
enum ConsolePage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Concord console</title>
<link rel="stylesheet" href="/leaflet/leaflet.css">
<link rel="stylesheet" href="/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>Concord</h1>
  <p id="who" aria-live="polite"></p>
  <p id="live-status" role="status" aria-live="polite"></p>
  <button id="signout" type="button" hidden>Sign out</button>
</header>
<main id="main">
  <section id="ended" hidden aria-labelledby="ended-title">
    <h2 id="ended-title">Session ended</h2>
    <p id="ended-reason"></p>
    <button id="signin-again" type="button">Sign in again</button>
  </section>

  <section id="signin" hidden aria-labelledby="signin-title">
    <h2 id="signin-title">Sign in</h2>
    <form id="signin-form">
      <fieldset>
        <legend>As a partner, with the credential the mission issued</legend>
        <label for="signin-partner">Partner code</label>
        <input id="signin-partner" name="partner" autocomplete="username" required pattern="[A-Z0-9]{2,16}">
        <label for="signin-token">Token</label>
        <input id="signin-token" name="token" type="password" autocomplete="current-password">
        <p class="hint">Or a user and password instead of a token:</p>
        <label for="signin-user">User</label>
        <input id="signin-user" name="user" autocomplete="off">
        <label for="signin-password">Password</label>
        <input id="signin-password" name="password" type="password" autocomplete="off">
        <button type="submit">Sign in</button>
      </fieldset>
    </form>
    <form id="operator-form">
      <fieldset>
        <legend>As an operator</legend>
        <label for="operator-token">Operator token</label>
        <input id="operator-token" name="operatorToken" type="password" required autocomplete="off">
        <button type="submit">Sign in as operator</button>
      </fieldset>
    </form>
    <p id="signin-error" role="alert"></p>
  </section>

  <section id="partner" hidden>
    <h2 class="visually-hidden">Operational picture</h2>
    <div id="map" role="region" aria-label="Map of the mission: use the arrow keys to pan and plus or minus to zoom"></div>
    <div id="legend" aria-label="Map legend">
      <span class="key route-clear">Route clear</span>
      <span class="key route-risk">Route AT RISK (dashed)</span>
      <span class="key alert-full">Alert area</span>
      <span class="key alert-tearline">Tearline only (hatched outline)</span>
      <span class="key convoy-halted">Convoy HALTED</span>
    </div>
    <div class="columns">
      <section aria-labelledby="lists-title">
        <h2 id="lists-title">Lists</h2>
        <label for="list-kind">Show</label>
        <select id="list-kind">
          <option value="requests">Supply requests</option>
          <option value="convoys">Convoys</option>
          <option value="alerts">Alerts</option>
          <option value="rfas">Requests for assistance</option>
          <option value="conflicts">Conflicts</option>
          <option value="notifications">Humanitarian notifications</option>
          <option value="notices">Deconfliction notices</option>
        </select>
        <label for="list-filter">Filter</label>
        <input id="list-filter" type="search" placeholder="any text in a row">
        <p id="list-note" role="status"></p>
        <table id="list-table"><caption id="list-caption"></caption><thead></thead><tbody></tbody></table>
      </section>
      <section aria-labelledby="forms-title">
        <h2 id="forms-title">Send</h2>
        <form id="form-rfa" class="command" data-subject="cmd.liaison.rfa.submit">
          <fieldset><legend>Request for assistance</legend>
            <label for="rfa-id">Reference</label><input id="rfa-id" name="rfa" required>
            <label for="rfa-kind">Kind</label>
            <select id="rfa-kind" name="kind"><option>escort</option><option>transport</option><option>security</option><option>engineering</option><option>medical</option></select>
            <label for="rfa-route">Route (optional)</label><input id="rfa-route" name="route">
            <label for="rfa-location">Location</label><input id="rfa-location" name="location" required>
            <label for="rfa-needed">Needed by</label><input id="rfa-needed" name="neededBy" type="date" required>
            <label for="rfa-why">Why no civilian means will do</label><textarea id="rfa-why" name="justification" required></textarea>
            <button type="submit">Submit request for assistance</button>
          </fieldset>
        </form>
        <form id="form-request" class="command" data-subject="cmd.logistics.request.create">
          <fieldset><legend>Supply request</legend>
            <label for="req-id">Reference</label><input id="req-id" name="request" required>
            <label for="req-item">Item</label><input id="req-item" name="item" required>
            <label for="req-quantity">Quantity</label><input id="req-quantity" name="quantity" type="number" min="1" required>
            <label for="req-unit">Unit of measure</label><input id="req-unit" name="unit" required>
            <label for="req-destination">Destination</label><input id="req-destination" name="destination" required>
            <label for="req-needed">Needed by</label><input id="req-needed" name="neededBy" type="date" required>
            <label for="req-priority">Priority</label>
            <select id="req-priority" name="priority"><option>normal</option><option>low</option><option>high</option><option>critical</option></select>
            <button type="submit">Create supply request</button>
          </fieldset>
        </form>
        <form id="form-notification" class="command" data-subject="cmd.liaison.notification.notify">
          <fieldset><legend>Humanitarian notification</legend>
            <label for="hn-id">Reference</label><input id="hn-id" name="notification" required>
            <label for="hn-kind">Kind</label><select id="hn-kind" name="kind"><option>site</option><option>movement</option></select>
            <label for="hn-location">Location</label><input id="hn-location" name="location" required>
            <label for="hn-lon">Longitude</label><input id="hn-lon" name="lon" type="number" step="any" min="-180" max="180">
            <label for="hn-lat">Latitude</label><input id="hn-lat" name="lat" type="number" step="any" min="-90" max="90">
            <label for="hn-from">From</label><input id="hn-from" name="from" type="date" required>
            <label for="hn-until">Until</label><input id="hn-until" name="until" type="date" required>
            <button type="submit">Send notification</button>
          </fieldset>
        </form>
        <p id="form-answer" role="status" aria-live="polite"></p>
      </section>
    </div>
    <section aria-labelledby="log-title">
      <h2 id="log-title">Live events</h2>
      <ol id="log" aria-live="off"></ol>
    </section>
  </section>

  <section id="operator" hidden aria-labelledby="operator-title">
    <h2 id="operator-title">Parts</h2>
    <table id="status-table">
      <caption>Every part heard on the bus: health, journal position, lag behind what it follows, dead letters. Refreshed every 5 seconds.</caption>
      <thead><tr><th scope="col">Part</th><th scope="col">Health</th><th scope="col">Journal position</th><th scope="col">Lag</th><th scope="col">Dead letters</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</main>
<script src="/leaflet/leaflet.js"></script>
<script src="/console.js"></script>
</body>
</html>
"""#
}
