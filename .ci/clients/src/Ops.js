// Operations a frontend team writes against qingdan, compiled by relay-compiler in CI.
import { graphql } from 'relay-runtime';

export const coLed = graphql`
  query OpsCoLedQuery($name: String!) {
    tasks(filter: { departmentName: $name, role: LEAD, coLed: true }, first: 20) {
      totalCount
      edges { cursor node { id number content leads { id name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const taskPage = graphql`
  query OpsTaskPageQuery($id: ID!) {
    node(id: $id) {
      id
      ... on Task {
        number
        content
        category { id number name }
        assignments { role position department { id name kind } }
        indicators { id targetValue unit }
        deadline { text date }
      }
    }
  }
`;

export const erroredField = graphql`
  query OpsErroredFieldQuery {
    task(number: 29) { id number reports { id revision } }
    documents { id year region }
  }
`;

export const stats = graphql`
  query OpsStatsQuery {
    taskStats(filter: { role: LEAD }, groupBy: [DEPARTMENT], first: 10) {
      department { id name }
      taskCount
      assignmentCount
    }
  }
`;
