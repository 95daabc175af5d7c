// Starts Swagger UI on /api/v1/docs; the OpenAPI URL comes from a data attribute (no inline script).
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  if (!node || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: node.getAttribute("data-openapi-url"),
    domNode: node,
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: false,
    // No request to validator.swagger.io: the page loads nothing from third parties.
    validatorUrl: null,
  });
})();
